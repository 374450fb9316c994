import { accountSettingsProblem, grantForLog, grantsBeyond, schemaGrants } from './app-accounts';

describe('grantsBeyond: the SHOW GRANTS lines that give an account more than its reads', () => {
  const beyond = (...grants: string[]): string[] => grantsBeyond(grants, 'live_gift', ['t_living_room']);

  it('passes USAGE on *.* (with or without a password hash) and SELECT on the tables it needs, whatever the names around', () => {
    expect(
      beyond(
        "GRANT USAGE ON *.* TO `live_gift_im_core`@`%` IDENTIFIED BY PASSWORD '*0123456789ABCDEF0123456789ABCDEF01234567'",
        'GRANT USAGE ON *.* TO `im`@`%`',
        'GRANT SELECT ON `live_gift`.`t_living_room` TO `live_gift_im_core`@`%`',
        'GRANT SELECT ON `live_gift`.`t_living_room` TO `im`@`app-update.internal`', // a host that says "update"
        'GRANT USAGE ON *.* TO `im_drop_all`@`%`',
      ),
    ).toEqual([]);
  });

  it.each([
    ["the owner's", 'GRANT ALL PRIVILEGES ON `live_gift`.* TO `live_gift`@`%`'],
    ["root's", 'GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION'],
    ["MySQL 8's root, spelled out", 'GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP ON *.* TO `root`@`localhost`'],
    ['a write on the table it reads', 'GRANT SELECT, UPDATE ON `live_gift`.`t_living_room` TO `im`@`%`'],
    ['a read of every table', 'GRANT SELECT ON `live_gift`.* TO `im`@`%`'],
    ['a read of everything', 'GRANT SELECT ON *.* TO `im`@`%`'],
    ['a read of the balances', 'GRANT SELECT ON `live_gift`.`t_qiyu_currency_account` TO `im`@`%`'],
    ['the right to pass its read on', 'GRANT SELECT ON `live_gift`.`t_living_room` TO `im`@`%` WITH GRANT OPTION'],
    ['a role', 'GRANT `owner_role` TO `im`@`%`'],
    ['PROXY', "GRANT PROXY ON ''@'%' TO 'im'@'%'"],
    ['a dynamic privilege', 'GRANT BINLOG_ADMIN,SYSTEM_VARIABLES_ADMIN ON *.* TO `im`@`%`'],
    ['USAGE on a database', 'GRANT USAGE ON `live_gift`.* TO `im`@`%`'],
  ])('names %s', (_what, grant) => {
    expect(beyond(grant)).toEqual([grant]);
  });
});

describe("schemaGrants: the lines that make an account an owner's (never made read-only)", () => {
  it('names ALL, CREATE, DROP or ALTER on the database or on *.*, and nothing narrower', () => {
    const owner = 'GRANT ALL PRIVILEGES ON `live_gift`.* TO `live_gift`@`%`';
    const admin = "GRANT SELECT, CREATE, DROP ON *.* TO `ops`@`%` IDENTIFIED BY PASSWORD '*ABC'";
    const alter = 'GRANT SELECT, ALTER ON `live_gift`.* TO `x`@`%`';
    const widened = 'GRANT SELECT, UPDATE ON `live_gift`.* TO `live_gift_im_core`@`%`';
    const table = 'GRANT ALL PRIVILEGES ON `live_gift`.`t_living_room` TO `x`@`%`';
    const other = 'GRANT ALL PRIVILEGES ON `other_db`.* TO `x`@`%`';
    const usage = 'GRANT USAGE ON *.* TO `x`@`%`';
    expect(schemaGrants([owner, admin, alter, widened, table, other, usage], 'live_gift')).toEqual([
      owner,
      admin,
      alter,
    ]);
  });
});

describe('accountSettingsProblem', () => {
  const long = 'Ab0_+/=.-'.repeat(4);

  it('takes a plain name, a host pattern and a long hex or base64 password', () => {
    expect(accountSettingsProblem('live_gift_im_core', '10.0.%', long)).toBeNull();
    expect(accountSettingsProblem('im', '%', 'f'.repeat(64))).toBeNull();
  });

  it.each([
    ['a quote in the name', "im'", '%', long, 'account name'],
    ['root', 'root', '%', long, "the server's own account"],
    ['a space in the host', 'im', '% OR 1', long, 'account host'],
    ['31 characters of password', 'im', '%', 'a'.repeat(31), '32 characters or more'],
    ['a backslash in the password', 'im', '%', `${long}\\`, 'letters, digits and'],
  ])('refuses %s', (_what, user, host, password, reason) => {
    expect(accountSettingsProblem(user, host, password)).toContain(reason);
  });
});

describe('grantForLog', () => {
  it('cuts the password hash (or plugin string) off a grant line before it is logged', () => {
    expect(
      grantForLog(
        "GRANT PROCESS, SUPER ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*3A56B0E0F1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6'",
      ),
    ).toBe('GRANT PROCESS, SUPER ON *.* TO `u`@`%`');
    expect(grantForLog('GRANT SELECT ON `live_gift`.`t_living_room` TO `u`@`%`')).toBe(
      'GRANT SELECT ON `live_gift`.`t_living_room` TO `u`@`%`',
    );
  });
});
