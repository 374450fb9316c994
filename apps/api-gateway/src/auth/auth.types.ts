import { UserRole } from '../user/entities/user.entity';

/** Who is calling: set by AuthGuard from the token only, never from anything the client sends. */
export interface RequestUser {
  userId: number;
  role: UserRole;
}

export interface AuthenticatedRequest {
  user?: RequestUser;
  /** The token that authenticated the request (AuthGuard): the one a logout deletes. */
  authToken?: string;
  headers: Record<string, string | string[] | undefined>;
  cookies?: Record<string, string | undefined>;
}

export const TOKEN_COOKIE = 'qytk';
