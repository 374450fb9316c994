export * from './living-room.reader';
