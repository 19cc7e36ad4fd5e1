"""backlint's analysis core: rules, the semantic model and the engine. Standard library only."""
from .catalog import all_rules, rule_by_code
from .engine import analyse_source
from .finding import FileError, FileResult, Finding
from .settings import ConfigError, Settings, settings_for

__all__ = ["ConfigError", "FileError", "FileResult", "Finding", "Settings", "all_rules",
           "analyse_source", "rule_by_code", "settings_for"]
