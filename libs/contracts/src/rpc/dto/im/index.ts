export * from './im-router.dto';
export * from './im-core.dto';
