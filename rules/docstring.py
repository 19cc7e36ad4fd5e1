"""Reads a rule module's sectioned docstring: the single source of its documentation."""
from __future__ import annotations

import re
from dataclasses import dataclass

SECTIONS = ("What it does", "Why it matters", "Example", "Use instead", "Options")
# Rules with a TS/JS side describe it in this section, and give a ```ts block in Example and
# Use instead after the ```python one.
TS_SECTION = "TypeScript/JavaScript"
_HEADING = re.compile(r"^## (?P<name>.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class RuleDoc:
    title: str
    sections: dict[str, str]

    def code_block(self, section: str, language: str = "") -> str:
        """The first fenced code block of a section (its Example or Use instead), or the first
        one fenced as `language` (`ts`)."""
        fence = re.escape(language) if language else r"\w*"
        match = re.search(rf"```{fence}\n(.*?)```", self.sections.get(section, ""), re.DOTALL)
        return match.group(1) if match else ""

    def summary(self) -> str:
        return " ".join(self.sections.get("What it does", "").split())


def parse_rule_doc(text: str) -> RuleDoc:
    """Split `Title\\n\\n## What it does\\n...` into its title and named sections."""
    text = text.strip()
    headings = list(_HEADING.finditer(text))
    title = text[: headings[0].start()].strip() if headings else text
    sections = {}
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        sections[heading.group("name")] = text[heading.end():end].strip("\n")
    return RuleDoc(title=title, sections=sections)
