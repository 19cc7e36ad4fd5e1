import typing
from typing import Any, Dict, Optional, cast

from pydantic import BaseModel


# ruleid: backlint.python.explicit-any
def load(payload: Any) -> dict:
    return dict(payload)


# ruleid: backlint.python.explicit-any
def render(data: dict) -> Any:
    return data


# ruleid: backlint.python.explicit-any
def wrap(*args: Any, **kwargs: Any) -> None:
    pass


class Item(BaseModel):
    name: str
    # ruleid: backlint.python.explicit-any
    meta: Dict[str, Any] = {}
    # ruleid: backlint.python.explicit-any
    extra: Optional[typing.Any] = None


# ok: backlint.python.explicit-any
def typed(payload: dict[str, object]) -> Optional[Item]:
    # ok: backlint.python.explicit-any
    label = "Any"
    # ok: backlint.python.explicit-any
    value = cast(Any, payload)
    return None


# ok: backlint.python.explicit-any
def any_of(values: list[bool]) -> bool:
    return any(values)
