"""The theme's files that belong at the site root: the icons browsers ask for
at "/favicon.ico" and "/apple-touch-icon.png" whether a page links them or not."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from pelican.generators import Generator
from pelican.writers import Writer

logger = logging.getLogger(__name__)


class RootFilesGenerator(Generator):
    """Copies THEME_ROOT_FILES from the theme's static folder to the output root."""

    def generate_output(self, writer: Writer) -> None:
        static = Path(self.theme) / "static"
        for name in self.settings.get("THEME_ROOT_FILES", ()):
            source, target = static / name, Path(self.output_path) / name
            if not source.is_file():
                logger.error("THEME_ROOT_FILES: %s is not in %s", name, static)
                continue
            shutil.copy2(source, target)
            logger.info("Copying %s to %s", source, target)
