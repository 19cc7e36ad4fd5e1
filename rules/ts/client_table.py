"""The TS/JS client constructors: (package, export) -> the kind of client it builds.

A client owns connections, a pool or a cache meant to be shared (a database pool, a redis
client, a cloud, AI, payment or messaging SDK client). Entries are `new X(...)`, `X(...)` and
`X.factory(...)` forms alike; `Namespace.member` names a static factory
(`MongoClient.connect`, `Redis.fromEnv`). Stateless per-request helpers are left out on purpose:
Neon's `neon()` HTTP driver, PlanetScale's `connect()`, Supabase's request-scoped clients, undici
agents (made per request to pin an address or set a proxy).
"""
from __future__ import annotations

# (packages, exports, kind): every `package`'s `export` builds a client of that kind.
_TABLE = (
    (("@prisma/client",), ("PrismaClient",), "Prisma client"),
    (("drizzle-orm/node-postgres", "drizzle-orm/postgres-js", "drizzle-orm/mysql2",
      "drizzle-orm/better-sqlite3", "drizzle-orm/libsql", "drizzle-orm/neon-serverless"),
     ("drizzle",), "Drizzle database"),
    (("pg",), ("Pool",), "Postgres pool"),
    (("pg",), ("Client",), "Postgres client"),
    (("@neondatabase/serverless",), ("Pool",), "Postgres pool"),
    (("@vercel/postgres",), ("createPool",), "Postgres pool"),
    (("postgres",), ("default",), "Postgres client"),
    (("mysql2", "mysql2/promise", "mysql"), ("createPool", "createPoolCluster"), "MySQL pool"),
    (("mysql2", "mysql2/promise", "mysql"), ("createConnection",), "MySQL connection"),
    (("mongodb",), ("MongoClient", "MongoClient.connect"), "MongoDB client"),
    (("mongoose",), ("createConnection", "connect"), "Mongoose connection"),
    (("ioredis",), ("default", "Redis", "Cluster", "default.Cluster", "Redis.Cluster"),
     "ioredis client"),
    (("redis", "@redis/client"), ("createClient", "createCluster"), "node-redis client"),
    (("@upstash/redis", "@upstash/redis/cloudflare", "@upstash/redis/nodejs"),
     ("Redis", "Redis.fromEnv"), "Upstash Redis client"),
    (("@upstash/ratelimit",), ("Ratelimit",), "Upstash rate limiter"),
    (("@upstash/qstash",), ("Client",), "QStash client"),
    (("bullmq", "bull"), ("Queue", "default"), "BullMQ queue"),
    (("kafkajs",), ("Kafka",), "Kafka client"),
    (("amqplib",), ("connect",), "RabbitMQ connection"),
    (("@elastic/elasticsearch", "@opensearch-project/opensearch"), ("Client",),
     "search cluster client"),
    (("knex",), ("default", "knex", "Knex"), "Knex instance"),
    (("sequelize", "sequelize-typescript"), ("Sequelize",), "Sequelize instance"),
    (("typeorm",), ("DataSource", "createConnection"), "TypeORM data source"),
    (("kysely",), ("Kysely",), "Kysely instance"),
    (("@libsql/client",), ("createClient",), "libSQL client"),
    (("@clickhouse/client",), ("createClient",), "ClickHouse client"),
    (("stripe",), ("default", "Stripe"), "Stripe client"),
    (("openai",), ("default", "OpenAI", "AzureOpenAI"), "OpenAI client"),
    (("@anthropic-ai/sdk",), ("default", "Anthropic"), "Anthropic client"),
    (("@google/generative-ai",), ("GoogleGenerativeAI",), "Google AI client"),
    (("@google/genai",), ("GoogleGenAI",), "Google AI client"),
    (("groq-sdk",), ("default", "Groq"), "Groq client"),
    (("@mistralai/mistralai",), ("Mistral",), "Mistral client"),
    (("cohere-ai",), ("CohereClient",), "Cohere client"),
    (("@pinecone-database/pinecone",), ("Pinecone",), "Pinecone client"),
    (("replicate",), ("default",), "Replicate client"),
    (("resend",), ("Resend",), "Resend client"),
    (("@sendgrid/mail",), ("MailService",), "SendGrid client"),
    (("@sendgrid/client",), ("Client",), "SendGrid client"),
    (("postmark",), ("ServerClient",), "Postmark client"),
    (("nodemailer",), ("createTransport",), "nodemailer transport"),
    (("twilio",), ("default", "Twilio"), "Twilio client"),
    (("@octokit/rest", "@octokit/core", "octokit"), ("Octokit",), "Octokit client"),
    (("@slack/web-api",), ("WebClient",), "Slack client"),
    (("@google-cloud/storage",), ("Storage",), "Google Cloud Storage client"),
    (("@google-cloud/pubsub",), ("PubSub",), "Google Cloud Pub/Sub client"),
    (("@google-cloud/bigquery",), ("BigQuery",), "BigQuery client"),
    (("axios",), ("create", "default.create"), "axios instance"),
)
# `@aws-sdk/client-s3` exports `S3Client`, `S3`: each service's client is its own kind.
_AWS_PREFIX = "@aws-sdk/client-"
_AWS_DOCUMENT = ("@aws-sdk/lib-dynamodb", "DynamoDBDocumentClient.from")


def _build() -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {}
    for packages, exports, kind in _TABLE:
        for package in packages:
            for name in exports:
                table[(package, name)] = kind
    return table


CONSTRUCTORS = _build()


def kind_of(package: str, name: str, extra: tuple[str, ...] = ()) -> str | None:
    """The kind of client `package`'s `name` builds, or None. `extra`: the project's own
    constructors configured as `"package-or-module.Name"` (each its own kind)."""
    found = CONSTRUCTORS.get((package, name))
    if found:
        return found
    if package.startswith(_AWS_PREFIX) and name.endswith("Client") and "." not in name \
            and name != "Client":
        return f"AWS {name[: -len('Client')] or package[len(_AWS_PREFIX):]} client"
    if (package, name) == _AWS_DOCUMENT:
        return "AWS DynamoDB document client"
    qualified = f"{package}.{name}"
    return qualified if qualified in extra else None
