import { Router } from 'express';
import { NextResponse } from 'next/server';
import type { NextApiRequest, NextApiResponse } from 'next';
import { Controller, Get, Post, Body } from '@nestjs/common';
import { prisma } from '@/lib/prisma';
import { pool } from '../lib/db';
import { User } from '../models/user';
import { listItems, createItem } from '../services/item-service';

const router = Router();

router.get('/items', async (req, res) => {
  // ruleid: backlint.typescript.fat-route-handler
  const items = await prisma.item.findMany({ where: { ownerId: req.user.id } });
  res.json({ success: true, data: items });
});

router.post('/items', async function (req, res) {
  // ruleid: backlint.typescript.fat-route-handler
  const { rows } = await pool.query('INSERT INTO items(name) VALUES ($1) RETURNING *', [req.body.name]);
  res.status(201).json({ success: true, data: rows[0] });
});

router.get('/users/:id', async (req, res) => {
  // ruleid: backlint.typescript.fat-route-handler
  const user = await User.findById(req.params.id);
  res.json({ success: true, data: user });
});

// Thin handler: calls a service.
router.get('/thin', async (req, res) => {
  // ok: backlint.typescript.fat-route-handler
  const items = await listItems(req.user.id);
  // ok: backlint.typescript.fat-route-handler
  const merged = Object.assign({}, items);
  res.json({ success: true, data: merged });
});

// Next.js App Router
export async function GET(request: Request) {
  // ruleid: backlint.typescript.fat-route-handler
  const posts = await prisma.post.findMany({ take: 10 });
  return NextResponse.json({ success: true, data: posts });
}

export async function POST(request: Request) {
  const body = await request.json();
  // ok: backlint.typescript.fat-route-handler
  const item = await createItem(body);
  return NextResponse.json({ success: true, data: item }, { status: 201 });
}

// pages/api
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  // ruleid: backlint.typescript.fat-route-handler
  const count = await prisma.user.count();
  res.status(200).json({ success: true, data: { count } });
}

// NestJS
@Controller('users')
export class UsersController {
  constructor(private readonly prisma: PrismaService, private readonly users: UsersService) {}

  @Get()
  async findAll() {
    // ruleid: backlint.typescript.fat-route-handler
    return this.prisma.user.findMany();
  }

  @Post()
  async create(@Body() dto: CreateUserDto) {
    // ok: backlint.typescript.fat-route-handler
    return this.users.create(dto);
  }
}

// A service function is where data access belongs.
export async function findUserByEmail(email: string) {
  // ok: backlint.typescript.fat-route-handler
  return prisma.user.findUnique({ where: { email } });
}

// A cache lookup that happens to take a key and a callback is not a route.
// ok: backlint.typescript.fat-route-handler
cache.get('users', () => prisma.user.findMany());
