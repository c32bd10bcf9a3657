"""No English outside a translation tag in ANY Waypoint template, staff pages included.

`test_translations.py` reads the site as a student and a guardian do, so it checks only the templates their
pages render. Teachers, counselors and administrators read Spanish too (`User.language`), and a staff-only
page is never crawled there; this test reads every template file under the package instead, with the same
scanner (`template_text.untranslated_text`), so a new English string anywhere fails with its template, line
and text."""

from __future__ import annotations

from pathlib import Path

import waypoint
from tests.i18n.template_text import untranslated_text

PACKAGE_DIR = Path(waypoint.__file__).resolve().parent


def _templates() -> list[Path]:
    """Every page and e-mail template (an e-mail's text is read the same way: no tag, no translation)."""
    return sorted(
        path
        for suffix in ("html", "txt")
        for path in PACKAGE_DIR.rglob(f"templates/**/*.{suffix}")
        if path.is_file()
    )


def test_the_scan_finds_the_staff_templates() -> None:
    """A glob that matched nothing would pass the check below with nothing checked."""
    names = {str(path.relative_to(PACKAGE_DIR)) for path in _templates()}
    assert "frameworks/templates/frameworks/framework_import.html" in names
    assert "evidence/templates/evidence/assessment_form.html" in names
    assert len(names) >= 50, sorted(names)


def test_no_template_holds_untranslated_text() -> None:
    problems = [
        str(item)
        for path in _templates()
        for item in untranslated_text(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE_DIR)))
    ]
    assert not problems, (
        f"{len(problems)} pieces of English outside {{% translate %}} / {{% blocktranslate %}} "
        "(docs/i18n.md, “Adding a string”):\n" + "\n".join(problems)
    )
