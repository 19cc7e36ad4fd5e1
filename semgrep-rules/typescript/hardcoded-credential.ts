import Stripe from 'stripe';
import OpenAI from 'openai';
import { Pool } from 'pg';

// ruleid: backlint.typescript.hardcoded-credential
const API_KEY = "a8f5f167f44f4964e6c998dee827110c";
// ruleid: backlint.typescript.hardcoded-credential
export const JWT_SECRET = "s3cr3t-Signing-K3y!";
// ruleid: backlint.typescript.hardcoded-credential
const stripe = new Stripe("sk_live_FAKEKEYFORTESTS0000");

export const openai = new OpenAI({
  // ruleid: backlint.typescript.hardcoded-credential
  apiKey: "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD",
});

const pool = new Pool({
  host: process.env.DB_HOST,
  user: 'app',
  // ruleid: backlint.typescript.hardcoded-credential
  password: 'Tr0ub4dor&3',
});

// ruleid: backlint.typescript.hardcoded-credential
const DATABASE_URL = "postgres://app:9fK2mQ7xLp@db.prod.internal:5432/app";

const config = {
  // ruleid: backlint.typescript.hardcoded-credential
  jwtSecret: process.env.JWT_SECRET || "d41d8cd98f00b204e9800998ecf8427e",
  // ruleid: backlint.typescript.hardcoded-credential
  webhookSecret: "whsec_5f2b8c9d0e1a4b7c",
};

// Near misses: all fine.
// ok: backlint.typescript.hardcoded-credential
const OPENAI_API_KEY = process.env.OPENAI_API_KEY;
// ok: backlint.typescript.hardcoded-credential
const apiKey = process.env.API_KEY ?? "dev";
// ok: backlint.typescript.hardcoded-credential
const SECRET = "changeme";
// ok: backlint.typescript.hardcoded-credential
const token = "<token>";
// ok: backlint.typescript.hardcoded-credential
const password = "";
// ok: backlint.typescript.hardcoded-credential
const API_TOKEN = "${API_TOKEN}";
// ok: backlint.typescript.hardcoded-credential
const STRIPE_KEY = "sk_test_xxxxxxxxxxxxxxxxxxxx";
// ok: backlint.typescript.hardcoded-credential
const ACCESS_TOKEN_STORAGE_KEY = "accessToken";
// ok: backlint.typescript.hardcoded-credential
const TOKEN_KEY = "auth_token";
// ok: backlint.typescript.hardcoded-credential
const SECRET_ENV = "JWT_SECRET";
// ok: backlint.typescript.hardcoded-credential
const RESET_PASSWORD = "/auth/reset-password";
// ok: backlint.typescript.hardcoded-credential
const labels = { password: "Password", token: "Access token" };
// ok: backlint.typescript.hardcoded-credential
const LOCAL_DB = "postgres://postgres:postgres@localhost:5432/dev";
// ok: backlint.typescript.hardcoded-credential
const TEMPLATE_DB = "postgres://user:password@db.example.com:5432/app";
// ok: backlint.typescript.hardcoded-credential
const tokenType = "Bearer";
// ok: backlint.typescript.hardcoded-credential
const description = "sk_live_ keys must never be committed";
// ok: backlint.typescript.hardcoded-credential
const secretName = "prod/db/password";
// ok: backlint.typescript.hardcoded-credential
const passwordField = { password: "your-password-here" };

export const auth = {
  // ruleid: backlint.typescript.hardcoded-credential
  secret: process.env.JWT_SECRET || 'superSecret',
  // ok: backlint.typescript.hardcoded-credential
  sessionSecret: process.env.SESSION_SECRET ?? 'local-dev-session',
  // ok: backlint.typescript.hardcoded-credential
  tokenSecret: process.env.TOKEN_SECRET,
};
