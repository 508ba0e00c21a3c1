"""What a person reads on a page, gathered for assertions."""

from playwright.sync_api import Page

CARD_URL = r".*/clients/(\d+)/$"


def card_section(page: Page, key: str) -> dict[str, str]:
    """The label → value pairs shown in one section of a client card ("personal", "guardian"…)."""
    return page.locator(f"section.section-{key} dl.facts > div").evaluate_all(
        "rows => Object.fromEntries(rows.map(r => ["
        "r.querySelector('dt').innerText.trim(), r.querySelector('dd').innerText.trim()]))"
    )


def client_names(page: Page) -> list[str]:
    """The names in the client list's rows, top to bottom."""
    return page.locator("#results tbody tr td:first-child a").all_inner_texts()
