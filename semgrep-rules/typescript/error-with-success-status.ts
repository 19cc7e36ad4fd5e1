import { Router } from 'express';
import { NextResponse } from 'next/server';

const router = Router();

router.get('/items/:id', async (req, res) => {
  const item = await getItem(req.params.id);
  if (!item) {
    // ruleid: backlint.typescript.error-with-success-status
    return res.json({ success: false, error: 'Not found' });
  }
  if (item.archived) {
    // ruleid: backlint.typescript.error-with-success-status
    return res.status(200).json({ error: 'Archived' });
  }
  // ok: backlint.typescript.error-with-success-status
  res.json({ success: true, data: item, error: null });
});

router.post('/items', async (req, res) => {
  if (!req.body.name) {
    // ok: backlint.typescript.error-with-success-status
    return res.status(400).json({ success: false, error: 'Name is required' });
  }
  try {
    // ok: backlint.typescript.error-with-success-status
    res.status(201).json({ success: true, data: await createItem(req.body) });
  } catch (error) {
    console.error('[POST /items]', error);
    // ruleid: backlint.typescript.error-with-success-status
    res.send({ error: 'Internal error' });
  }
});

export async function POST(request: Request) {
  try {
    const result = await run(await request.json());
    // ok: backlint.typescript.error-with-success-status
    return NextResponse.json({ success: true, data: result });
  } catch (error) {
    console.error('[POST /api/run]', error);
    // ruleid: backlint.typescript.error-with-success-status
    return NextResponse.json({ success: false, error: 'Internal error' });
  }
}

export async function PUT(request: Request) {
  const body = await request.json();
  if (!body.id) {
    // ruleid: backlint.typescript.error-with-success-status
    return NextResponse.json({ success: false, error: 'id is required' }, { status: 200 });
  }
  if (!body.name) {
    // ok: backlint.typescript.error-with-success-status
    return NextResponse.json({ success: false, error: 'name is required' }, { status: 400 });
  }
  // ok: backlint.typescript.error-with-success-status
  return Response.json({ success: true, data: body });
}

hono.get('/x', (c) => {
  // ruleid: backlint.typescript.error-with-success-status
  return c.json({ error: 'Not found' });
});

hono.get('/y', (c) => {
  // ok: backlint.typescript.error-with-success-status
  return c.json({ error: 'Not found' }, 404);
});

router.get('/legacy', (req, res) => {
  res.status(404);
  // ok: backlint.typescript.error-with-success-status
  res.json({ error: 'Not found' });
});
