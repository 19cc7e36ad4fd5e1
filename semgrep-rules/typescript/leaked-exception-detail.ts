import { NextResponse } from 'next/server';
import express, { Request, Response, NextFunction } from 'express';
import { InternalServerErrorException, HttpException, Catch, ExceptionFilter, ArgumentsHost } from '@nestjs/common';
import { ZodError } from 'zod';
import { logger } from './logger';

const router = express.Router();

router.get('/a', async (req: Request, res: Response) => {
  try {
    res.json(await load());
  } catch (err) {
    // ruleid: backlint.typescript.leaked-exception-detail
    res.status(500).json({ success: false, error: err.message });
  }
});

router.get('/b', async (req, res) => {
  try {
    res.json(await load());
  } catch (error) {
    const payload = { success: false, error: error.stack };
    // ruleid: backlint.typescript.leaked-exception-detail
    return res.status(500).json(payload);
  }
});

router.get('/c', async (req, res) => {
  try {
    res.json(await load());
  } catch (e) {
    // ruleid: backlint.typescript.leaked-exception-detail
    res.status(500).send(`Failed: ${e}`);
  }
});

router.get('/d', async (req, res) => {
  try {
    res.json(await load());
  } catch (e: unknown) {
    // ruleid: backlint.typescript.leaked-exception-detail
    res.status(500).json({ error: e instanceof Error ? e.message : 'Unknown error' });
  }
});

router.get('/e', (req, res) => {
  load()
    .then((data) => res.json(data))
    // ruleid: backlint.typescript.leaked-exception-detail
    .catch((err) => res.status(500).json({ error: JSON.stringify(err) }));
});

router.get('/f', async (req, res) => {
  try {
    res.json(await load());
  } catch (err) {
    // ruleid: backlint.typescript.leaked-exception-detail
    res.status(500).json({ error: err });
  }
});

// Generic message, error only logged: fine.
router.get('/ok1', async (req, res) => {
  try {
    res.json({ success: true, data: await load() });
  } catch (err) {
    console.error('[GET /ok1]', err);
    logger.error({ err, message: err.message }, 'load failed');
    // ok: backlint.typescript.leaked-exception-detail
    res.status(500).json({ success: false, error: 'Internal error' });
  }
});

// Validation errors and application errors are deliberately client-facing.
router.post('/ok2', async (req, res) => {
  try {
    res.json(await save(req.body));
  } catch (err) {
    if (err instanceof ZodError) {
      // ok: backlint.typescript.leaked-exception-detail
      return res.status(400).json({ success: false, error: 'Invalid input', issues: err.issues });
    }
    if (err instanceof NotFoundError) {
      // ok: backlint.typescript.leaked-exception-detail
      return res.status(404).json({ success: false, error: err.message });
    }
    // ok: backlint.typescript.leaked-exception-detail
    res.status(500).json({ success: false, error: 'Internal error', code: err.code });
  }
});

// The error is mapped by a helper (semgrep cannot see inside it): not reported.
router.get('/ok3', async (req, res) => {
  try {
    res.json(await load());
  } catch (err) {
    // ok: backlint.typescript.leaked-exception-detail
    res.status(errorStatus(err)).json({ success: false, error: publicMessage(err) });
  }
});

// Express error middleware
export function errorHandler(err: Error, req: Request, res: Response, next: NextFunction) {
  console.error(err);
  // ruleid: backlint.typescript.leaked-exception-detail
  res.status(500).json({ message: err.message, stack: err.stack });
}

export function quietErrorHandler(err: Error, req: Request, res: Response, _next: NextFunction) {
  logger.error({ err, path: req.path }, 'unhandled');
  // ok: backlint.typescript.leaked-exception-detail
  res.status(500).json({ success: false, error: 'Internal error' });
}

// Next.js App Router
export async function POST(request: Request) {
  try {
    const body = await request.json();
    return NextResponse.json({ success: true, data: await save(body) });
  } catch (error) {
    console.error('[POST /api/items]', error);
    // ruleid: backlint.typescript.leaked-exception-detail
    return NextResponse.json({ success: false, error: String(error) }, { status: 500 });
  }
}

export async function GET() {
  try {
    return NextResponse.json({ success: true, data: await load() });
  } catch (error) {
    console.error('[GET /api/items]', error);
    // ok: backlint.typescript.leaked-exception-detail
    return NextResponse.json({ success: false, error: 'Internal error' }, { status: 500 });
  }
}

export async function DELETE() {
  try {
    await remove();
    return new Response(null, { status: 204 });
  } catch (error) {
    // ruleid: backlint.typescript.leaked-exception-detail
    return new Response((error as Error).message, { status: 500 });
  }
}

// Fastify
app.setErrorHandler((error, request, reply) => {
  request.log.error(error);
  // ruleid: backlint.typescript.leaked-exception-detail
  reply.code(500).send({ error: error.message });
});

// Hono
hono.onError((err, c) => {
  console.error(err);
  // ok: backlint.typescript.leaked-exception-detail
  return c.json({ success: false, error: 'Internal error' }, 500);
});

hono.get('/h', async (c) => {
  try {
    return c.json(await load());
  } catch (err) {
    // ruleid: backlint.typescript.leaked-exception-detail
    return c.text(err.stack, 500);
  }
});

// NestJS
export class ItemsService {
  async find() {
    try {
      return await load();
    } catch (err) {
      // ruleid: backlint.typescript.leaked-exception-detail
      throw new InternalServerErrorException(err.message);
    }
  }

  async findSafe() {
    try {
      return await load();
    } catch (err) {
      this.logger.error('find failed', err.stack);
      // ok: backlint.typescript.leaked-exception-detail
      throw new InternalServerErrorException('Could not load items');
    }
  }
}

// Sending to something that is not the HTTP response: not this rule.
async function notify(channel) {
  try {
    await load();
  } catch (err) {
    // ok: backlint.typescript.leaked-exception-detail
    channel.send(err.message);
  }
}

router.get('/fin', async (req, res) => {
  const client = await pool.connect();
  try {
    res.json(await client.query('select 1'));
  } catch (err) {
    // ruleid: backlint.typescript.leaked-exception-detail
    res.status(500).json({ success: false, error: err.stack });
  } finally {
    client.release();
  }
});

// Only the narrowed branch is client-safe; the else branch still holds any error.
export function narrowedHandler(err: Error, req: Request, res: Response, next: NextFunction) {
  if (err instanceof HttpError) {
    // ok: backlint.typescript.leaked-exception-detail
    res.status(err.status).json({ success: false, error: err.message });
  } else {
    // ruleid: backlint.typescript.leaked-exception-detail
    res.status(500).json({ success: false, error: err.message });
  }
}

// Duck-typed application errors (err.errorCode / err.statusCode) carry client messages.
export function duckTypedHandler(err: any, req: Request, res: Response, next: NextFunction) {
  if (err && err.errorCode) {
    // ok: backlint.typescript.leaked-exception-detail
    res.status(err.errorCode).json(err.message);
  } else if (err) {
    // ruleid: backlint.typescript.leaked-exception-detail
    res.status(500).json(err.message);
  }
}

// Detail only in development, and an explicit isOperational decision: fine.
export const devOnlyHandler = (err, req, res, next) => {
  let { statusCode, message } = err;
  if (process.env.NODE_ENV === 'production' && !err.isOperational) {
    statusCode = 500;
    message = 'Internal Server Error';
  }
  const response = {
    code: statusCode,
    message,
    ...(process.env.NODE_ENV === 'development' && { stack: err.stack }),
  };
  // ok: backlint.typescript.leaked-exception-detail
  res.status(statusCode).send(response);
};

export const stackInDevHandler = (err, req, res, next) => {
  logger.error(err);
  // ok: backlint.typescript.leaked-exception-detail
  res.status(500).json({ error: 'Internal error', stack: process.env.NODE_ENV === 'production' ? undefined : err.stack });
};

export const stackAlwaysHandler = (err, req, res, next) => {
  // ruleid: backlint.typescript.leaked-exception-detail
  res.status(500).json({ error: 'Internal error', stack: process.env.NODE_ENV === 'production' ? err.stack : undefined });
};
