import { ChatHistoryDropper } from '@live/contracts';
import { ImRouterClient } from '@live/common';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LivingRoomStatus } from './entities/living-room.entity';
import { LivingService } from './living.service';

describe('LivingService.close and the room chat history', () => {
  function service(drop: () => Promise<boolean>, affected = 1) {
    const room = { id: 42, anchorId: 7, type: 0, status: LivingRoomStatus.LIVING };
    const update = jest.fn(async () => ({ affected }));
    const repo = { findOneBy: jest.fn(async () => ({ ...room })), update };
    const dataSource = { getRepository: () => repo } as unknown as DataSource;
    const dropper = { drop: jest.fn(drop) } as unknown as ChatHistoryDropper;
    return { living: new LivingService(dataSource, {} as ImRouterClient, dropper), update, dropper };
  }

  afterEach(() => jest.restoreAllMocks());

  it("drops the room's chat history once the room is closed in the database", async () => {
    const { living, update, dropper } = service(async () => true);
    await living.close(7, 42);
    expect(update).toHaveBeenCalledWith(
      { id: 42, status: LivingRoomStatus.LIVING },
      expect.objectContaining({ status: LivingRoomStatus.CLOSED }),
    );
    expect(dropper.drop).toHaveBeenCalledWith(42);
  });

  it('a close that found the room already closed by another (two at once) changes nothing more', async () => {
    const { living, update, dropper } = service(async () => true, 0);
    await living.close(7, 42);
    expect(update).toHaveBeenCalledTimes(1);
    expect(dropper.drop).not.toHaveBeenCalled();
  });

  it('drops the living room it held for gift sends at once (a send right after the close reads it again)', async () => {
    const { living } = service(async () => true);
    const read = jest.spyOn(living, 'getLiving').mockResolvedValue({ anchorId: 7, type: 0 } as never);
    await living.livingRoomCached(42);
    await living.livingRoomCached(42);
    expect(read).toHaveBeenCalledTimes(1);
    await living.close(7, 42);
    read.mockRejectedValue(new Error('not living'));
    await expect(living.livingRoomCached(42)).rejects.toThrow('not living');
  });

  it('a failed drop does not fail the close (the room is closed; the list expires with its TTL): a warning says so', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { living, update } = service(async () => {
      throw new Error('Connection is closed.');
    });
    await expect(living.close(7, 42)).resolves.toBeUndefined();
    expect(update).toHaveBeenCalled();
    await new Promise((r) => setImmediate(r)); // the drop is not awaited by the close
    expect(warn).toHaveBeenCalledWith(
      'room 42: its chat history was not dropped (it expires with its TTL): Connection is closed.',
    );
  });

  it("another user's close drops nothing", async () => {
    const { living, update, dropper } = service(async () => true);
    await expect(living.close(8, 42)).rejects.toMatchObject({ message: expect.any(String) });
    expect(update).not.toHaveBeenCalled();
    expect(dropper.drop).not.toHaveBeenCalled();
  });

  it('a start while live: the open room back for its type (a retry), 409 10005 naming it for another type, nothing opened', async () => {
    const { living } = service(async () => true); // its repository: room 42 of anchor 7, type 0, living
    await expect(living.start(7, 0, 'again')).resolves.toEqual({ roomId: 42 });
    await expect(living.start(7, 1)).rejects.toMatchObject({
      code: 10005,
      message: 'you are live in room 42 of type 0: close it to open a room of type 1',
    });
  });
});
