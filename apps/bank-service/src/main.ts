import { runApp } from '@live/common';
import { BankServiceModule } from './bank-service.module';
import { BankServiceEnv } from './config/bank-service.env';

void runApp({
  app: 'bank-service',
  module: BankServiceModule,
  env: BankServiceEnv,
  listen: (env) => ({ host: env.BIND_HOST, http: env.BANK_HTTP_PORT, rpc: env.BANK_RPC_PORT }),
});
