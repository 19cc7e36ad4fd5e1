import { PrismaClient } from '@prisma/client';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import Redis from 'ioredis';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { Pool } from 'pg';
import Stripe from 'stripe';
import axios from 'axios';
import mongoose from 'mongoose';
import { NextResponse } from 'next/server';
import { Router } from 'express';

// ok: backlint.typescript.per-request-client
const prisma = new PrismaClient();
// ok: backlint.typescript.per-request-client
export const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
// ok: backlint.typescript.per-request-client
const http = axios.create({ baseURL: process.env.API_URL, timeout: 5000 });

// Next.js globalThis singleton
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
// ok: backlint.typescript.per-request-client
export const db = globalForPrisma.prisma ?? new PrismaClient();

// Prisma's documented factory form, called once at module level
const prismaClientSingleton = () => {
  // ok: backlint.typescript.per-request-client
  return new PrismaClient();
};
export const prisma2 = globalThis.prismaGlobal ?? prismaClientSingleton();

// memoised getter
let redis: Redis | undefined;
export function getRedis(): Redis {
  if (!redis) {
    // ok: backlint.typescript.per-request-client
    redis = new Redis(process.env.REDIS_URL!);
  }
  return redis;
}

let s3: S3Client | null = null;
export const getS3 = () => {
  // ok: backlint.typescript.per-request-client
  s3 ??= new S3Client({ region: process.env.AWS_REGION });
  return s3;
};

const router = Router();

router.get('/users', async (req, res) => {
  // ruleid: backlint.typescript.per-request-client
  const client = new PrismaClient();
  const users = await client.user.findMany();
  res.json({ success: true, data: users });
});

export async function POST(request: Request) {
  // ruleid: backlint.typescript.per-request-client
  const openaiClient = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
  // ruleid: backlint.typescript.per-request-client
  const anthropic = new Anthropic();
  return NextResponse.json({ success: true });
}

export async function uploadAvatar(key: string, body: Buffer) {
  // ruleid: backlint.typescript.per-request-client
  const client = new S3Client({ region: 'eu-west-1' });
  await client.send(new PutObjectCommand({ Bucket: 'avatars', Key: key, Body: body }));
}

async function charge(amount: number) {
  // ruleid: backlint.typescript.per-request-client
  const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);
  // ruleid: backlint.typescript.per-request-client
  const pool = new Pool({ connectionString: process.env.DATABASE_URL });
  // ruleid: backlint.typescript.per-request-client
  const api = axios.create({ baseURL: 'https://api.example.com', timeout: 1000 });
  // ruleid: backlint.typescript.per-request-client
  const conn = mongoose.createConnection(process.env.MONGO_URL!);
}

// Commands and other objects built per call are not clients.
export async function putObject(key: string) {
  // ok: backlint.typescript.per-request-client
  const cmd = new PutObjectCommand({ Bucket: 'b', Key: key });
  // ok: backlint.typescript.per-request-client
  const url = new URL('/x', 'https://example.com');
  return s3!.send(cmd);
}

// NestJS: a provider built once by the DI container
export class StorageService {
  private readonly s3: S3Client;
  constructor() {
    // ok: backlint.typescript.per-request-client
    this.s3 = new S3Client({ region: process.env.AWS_REGION });
  }
}

// A factory named for what it builds is called once by its importer (cross-file: not visible here).
export const createApiClient = (config: { baseURL: string }) => {
  // ok: backlint.typescript.per-request-client
  return axios.create({ ...config, timeout: 5000 });
};

// A getter that builds a new client on every call is the problem itself.
export function getOpenAI() {
  // ruleid: backlint.typescript.per-request-client
  return new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
}
