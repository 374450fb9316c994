/** The one response envelope of the public contract: `{ code, msg, data }`, code 200 is success. */
export interface ApiResponse<T = unknown> {
  code: number;
  msg: string;
  data: T | null;
}

export const SUCCESS_CODE = 200;

export const ApiResponses = {
  ok<T>(data: T): ApiResponse<T> {
    return { code: SUCCESS_CODE, msg: 'success', data: data === undefined ? null : data };
  },
  error(code: number, msg: string): ApiResponse<null> {
    return { code, msg, data: null };
  },
};
