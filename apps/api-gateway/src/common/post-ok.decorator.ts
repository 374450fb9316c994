import { applyDecorators, HttpCode, Post } from '@nestjs/common';

/** A POST route that answers 200 (the envelope carries the outcome): every route of the public API is one. */
export const PostOk = (path: string): MethodDecorator => applyDecorators(Post(path), HttpCode(200));
