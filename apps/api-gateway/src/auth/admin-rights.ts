import { Injectable, Logger } from '@nestjs/common';
import { GatewayEnv } from '../config/api-gateway.env';
import { UserRole } from '../user/entities/user.entity';
import { UserService } from '../user/user.service';
import { RequestUser } from './auth.types';

/**
 * Who is an admin: GATEWAY_ADMIN_PHONES is the authority. A login writes the role into its token (and t_user),
 * but a phone taken off the list must lose its rights at its next admin call, not when its tokens expire
 * (30 days). So a token saying admin is believed only once its user's phone is found on the list as it is
 * now (one primary-key read per admin check: admin calls are rare); a token saying user is never raised.
 */
@Injectable()
export class AdminRights {
  private readonly logger = new Logger(AdminRights.name);
  private readonly phones: Set<string>;

  constructor(
    env: GatewayEnv,
    private readonly users: UserService,
  ) {
    this.phones = new Set(
      env.GATEWAY_ADMIN_PHONES.split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    );
  }

  /** The role a login with this phone gets. */
  roleOf(phone: string): UserRole {
    return this.phones.has(phone) ? UserRole.ADMIN : UserRole.USER;
  }

  /** Whether the token's user is an admin now (its token says so and its phone is still on the list). */
  async holds(user: RequestUser): Promise<boolean> {
    if (user.role !== UserRole.ADMIN) return false;
    const row = await this.users.findById(user.userId);
    if (row && this.phones.has(row.phone)) return true;
    this.logger.warn(
      `user ${user.userId}: a token issued as admin, but the phone is not on GATEWAY_ADMIN_PHONES now: refused as admin`,
    );
    return false;
  }
}
