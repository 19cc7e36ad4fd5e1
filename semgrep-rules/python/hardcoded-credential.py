import os

import stripe
from openai import OpenAI
from sqlalchemy import create_engine

# ruleid: backlint.python.hardcoded-credential
SECRET_KEY = "django-insecure-7x!k2@q9#v$w1z8e5r3t6y0u4i"
# ruleid: backlint.python.hardcoded-credential
stripe.api_key = "sk_live_FAKEKEYFORTESTS0000"
# ruleid: backlint.python.hardcoded-credential
client = OpenAI(api_key="sk-proj-Q8f5f167f44f4964e6c998dee827110cAB")
# ruleid: backlint.python.hardcoded-credential
engine = create_engine("postgresql+psycopg://app:9fK2mQ7xLp@db.prod.internal:5432/app")

DATABASES = {
    "default": {
        "USER": "app",
        # ruleid: backlint.python.hardcoded-credential
        "PASSWORD": "Tr0ub4dor&3",
    }
}

# ruleid: backlint.python.hardcoded-credential
JWT_SECRET = os.environ.get("JWT_SECRET", "d41d8cd98f00b204e9800998ecf8427e")


class Settings:
    # ruleid: backlint.python.hardcoded-credential
    webhook_secret: str = "whsec_5f2b8c9d0e1a4b7c"


# Near misses: all fine.
# ok: backlint.python.hardcoded-credential
OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]
# ok: backlint.python.hardcoded-credential
API_KEY = os.getenv("API_KEY", "dev")
# ok: backlint.python.hardcoded-credential
PASSWORD = "changeme"
# ok: backlint.python.hardcoded-credential
TOKEN = "<token>"
# ok: backlint.python.hardcoded-credential
password = ""
# ok: backlint.python.hardcoded-credential
API_TOKEN = "${API_TOKEN}"
# ok: backlint.python.hardcoded-credential
secret_key = "your-secret-key-here"
# ok: backlint.python.hardcoded-credential
SECRET_ENV = "JWT_SECRET"
# ok: backlint.python.hardcoded-credential
token_type = "Bearer"
# ok: backlint.python.hardcoded-credential
LOCAL_DB = "postgresql://postgres:postgres@localhost:5432/dev"
# ok: backlint.python.hardcoded-credential
TEMPLATE = "postgresql://{user}:{password}@{host}/{db}"
# ok: backlint.python.hardcoded-credential
labels = {"password": "Password", "token": "Access token"}
# ok: backlint.python.hardcoded-credential
RESET_PASSWORD_PATH = "/auth/reset-password"

# ruleid: backlint.python.hardcoded-credential
SESSION_SECRET = os.getenv("SESSION_SECRET", "superSecret")
# ok: backlint.python.hardcoded-credential
DEV_SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key")
