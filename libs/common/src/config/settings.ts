import { IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';

function combine(decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((d) => d(target, key));
}

/** A whole-number setting within [min, max] (converted from its string by validateEnv). */
export function IntSetting(min: number, max: number): PropertyDecorator {
  return combine([IsInt(), Min(min), Max(max)]);
}

/** A TCP port number (1..65535). */
export function IsPort(): PropertyDecorator {
  return IntSetting(1, 65_535);
}

/** A host name or address: a non-empty string. */
export function HostSetting(): PropertyDecorator {
  return combine([IsString(), IsNotEmpty()]);
}

/** The settings every app shares; each app's env class extends it. */
export class AppEnv {
  /** Interface the HTTP and WebSocket listeners bind to; TCP RPC binds RPC_BIND_HOST. */
  @HostSetting()
  BIND_HOST: string = '0.0.0.0';
}
