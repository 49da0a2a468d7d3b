"""Log formatting that needs no Django app loaded (settings.LOGGING imports it early)."""

import json
import logging


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, so a log shipper can index the fields without parsing text."""

    def format(self, record):
        payload = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name}
        payload.update(getattr(record, "fields", None) or {"message": record.getMessage()})
        if record.exc_info:
            payload["error"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)
