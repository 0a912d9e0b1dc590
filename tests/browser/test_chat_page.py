"""The chat page in a real browser (Chromium via Playwright) against a live server."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, Request, Route, expect

from tests.browser.conftest import PHONE, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ANSWER_TIMEOUT_MS = 60_000
XSS = "<img src=x onerror=alert(1)>"


def replies(page: Page) -> Locator:
    """The page's replies (answers, abstentions, errors), oldest first."""
    return page.locator("#messages > li[data-kind]")


def ask(page: Page, question: str) -> Locator:
    """Type a question, press Enter, and return the reply that comes back."""
    before = replies(page).count()
    box = page.get_by_label("Your question about the article")
    box.fill(question)
    box.press("Enter")
    expect(replies(page)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    return replies(page).last


def open_page(page: Page, server: LiveServer) -> dict:
    """Load the page; return the (only) document the server holds, as GET /documents says."""
    page.goto(server.url + "/")
    documents = httpx.get(f"{server.url}/documents", timeout=10).json()
    expect(page.locator("#doc-title")).to_have_text(documents[0]["title"])
    return documents[0]


def ask_requests(page: Page) -> list[dict]:
    """Collects the JSON body of every POST /ask the page sends."""
    bodies: list[dict] = []

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/ask"):
            bodies.append(request.post_data_json)

    page.on("request", on_request)
    return bodies


def source_citation(body: dict) -> dict:
    """The citation that holds the answer span."""
    answer = body["answer"]
    return next(
        c
        for c in body["citations"]
        if c["document_id"] == answer["document_id"]
        and c["start"] <= answer["start"]
        and answer["end"] <= c["end"]
    )


def test_answer_shows_short_answer_quote_highlight_and_confidence(
    page: Page, live_server: LiveServer
) -> None:
    document = open_page(page, live_server)
    expect(page.locator("#doc-meta")).to_contain_text(document["author"])
    expect(page.locator("#doc-meta time")).to_have_attribute("datetime", document["date"])

    with page.expect_response(lambda r: r.url.endswith("/ask")) as response:
        reply = ask(page, "Who is the Turkish Defense Minister?")
    body = response.value.json()
    assert body["answer"] is not None, body
    answer, quote = body["answer"], source_citation(body)

    expect(reply).to_have_attribute("data-kind", "answer")
    expect(reply.locator(".answer-text")).to_have_text(answer["text"])
    expect(reply.locator("blockquote.quote").first).to_have_text(quote["quote"])
    highlight = reply.locator("blockquote.quote mark").first
    expect(highlight).to_have_text(answer["text"])
    percent = round(answer["confidence"] * 100)
    expect(reply.locator(".confidence")).to_have_text(
        re.compile(rf"^(High|Medium|Low) confidence · {percent}%$")
    )
    # Screen readers hear the answer through the live region.
    expect(page.locator("#announcer")).to_contain_text(f"Answer: {answer['text']}")


def test_examples_and_busy_state(page: Page, live_server: LiveServer) -> None:
    held: list[Route] = []
    page.route("**/ask", lambda route: held.append(route))
    document = open_page(page, live_server)
    suggested = httpx.get(
        f"{live_server.url}/documents/{document['id']}/suggestions", timeout=60
    ).json()["questions"]
    assert suggested, "the seed article should have suggested questions"
    examples = page.locator("#examples button")
    expect(examples.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    # The examples are the server's suggestions for this document, in its order.
    expect(examples).to_have_text([s["question"] for s in suggested])
    question = examples.first.inner_text()
    examples.first.click()

    # While the answer is on its way: a visible status, and the send button is off.
    expect(page.get_by_role("status")).to_contain_text("Reading the article")
    expect(page.locator("#send")).to_be_disabled()
    expect(page.locator(".msg-user .bubble")).to_contain_text(question)
    expect(page.locator("#empty")).to_be_hidden()
    expect(page.get_by_label("Your question about the article")).to_be_focused()
    assert len(held) == 1
    held[0].continue_()

    expect(replies(page)).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_role("status")).to_have_count(0)
    expect(page.locator("#send")).to_be_enabled()


def test_examples_stay_hidden_while_loading_and_silent_when_they_fail(
    page: Page, live_server: LiveServer
) -> None:
    held: list[Route] = []
    page.route("**/suggestions", lambda route: held.append(route))
    open_page(page, live_server)
    for _ in range(200):  # the page asks for them once the document list is in
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    expect(page.locator("#examples-block")).to_be_hidden()  # still loading
    held[0].fulfill(status=500, json={"detail": "boom"})
    # No banner and no examples: the page is usable as before.
    expect(page.locator("#examples-block")).to_be_hidden()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#messages > li")).to_have_count(0)
    expect(page.get_by_label("Your question about the article")).to_be_focused()


def test_follow_up_sends_history_and_new_conversation_clears_it(
    page: Page, live_server: LiveServer
) -> None:
    sent = ask_requests(page)
    open_page(page, live_server)
    first = "Which city did Armenian forces fire missiles on?"
    reply = ask(page, first)
    expect(reply.locator(".answer-text")).to_have_text("Ganja")

    with page.expect_response(lambda r: r.url.endswith("/ask")) as response:
        follow_up = ask(page, "How many civilians died there?")
    assert sent[1]["history"] == [{"question": first, "answer": "Ganja"}]
    body = response.value.json()
    expect(follow_up).to_have_attribute("data-kind", re.compile("^(answer|abstain)$"))
    expect(follow_up.locator(".answer-text")).to_have_text("13")
    resolved = body.get("resolved_question")
    if resolved and resolved != "How many civilians died there?":
        expect(follow_up.locator(".resolved")).to_contain_text(resolved)

    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#messages > li")).to_have_count(0)
    expect(page.locator("#examples button").first).to_be_visible()
    expect(page.get_by_label("Your question about the article")).to_be_focused()
    ask(page, "Who is the Turkish Defense Minister?")
    assert sent[2]["history"] == []


def test_unanswerable_question_says_so_and_offers_closest_passages(
    page: Page, live_server: LiveServer
) -> None:
    open_page(page, live_server)
    with page.expect_response(lambda r: r.url.endswith("/ask")) as response:
        reply = ask(page, "What is the capital of Armenia?")
    body = response.value.json()
    expect(reply).to_have_attribute("data-kind", "abstain")
    expect(reply).to_contain_text("The article doesn't answer this.")
    expect(reply.locator(".passage")).to_have_count(len(body["citations"]))
    assert body["citations"], "the closest passages should still be offered"
    expect(reply.locator(".passage blockquote").first).to_have_text(body["citations"][0]["quote"])


def test_a_yes_or_no_question_is_told_why_and_shown_the_passages(
    page: Page, live_server: LiveServer
) -> None:
    open_page(page, live_server)
    with page.expect_response(lambda r: r.url.endswith("/ask")) as response:
        reply = ask(page, "Is the ceasefire holding?")
    body = response.value.json()
    assert body["abstention"] == "yes_no" and body["citations"]
    expect(reply).to_have_attribute("data-kind", "abstain")
    expect(reply).to_contain_text("That asks for a yes or a no.")
    expect(reply).not_to_contain_text("doesn't answer this")
    expect(reply.locator(".passage").first).to_be_visible()


def test_markup_in_a_question_is_shown_as_text_and_never_run(
    page: Page, live_server: LiveServer
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sent = ask_requests(page)
    open_page(page, live_server)

    reply = ask(page, XSS)
    expect(reply).to_have_attribute("data-kind", re.compile("^(answer|abstain)$"))
    expect(page.locator(".msg-user .bubble")).to_have_text(f"You asked: {XSS}")
    assert page.locator("img").count() == 0
    assert dialogs == []
    assert sent[0]["question"] == XSS


def test_show_in_the_article_with_the_keyboard_highlights_the_passage(
    page: Page, live_server: LiveServer
) -> None:
    open_page(page, live_server)
    box = page.get_by_label("Your question about the article")
    expect(box).to_be_focused()  # ready to type on arrival
    with page.expect_response(lambda r: r.url.endswith("/ask")) as response:
        page.keyboard.type("Who is the Turkish Defense Minister?")
        page.keyboard.press("Enter")
        expect(replies(page)).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    body = response.value.json()
    answer, citation = body["answer"], source_citation(body)

    show = replies(page).last.get_by_role("button", name="Show in the article")
    for _ in range(12):  # back from the question box to the button, keyboard only
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.classList.contains('show-in-article')"):
            break
    expect(show).to_be_focused()
    page.keyboard.press("Enter")

    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible()
    document = httpx.get(f"{live_server.url}/documents/{answer['document_id']}", timeout=10).json()
    body_text = panel.locator("#panel-body")
    passage = panel.locator("#panel-body mark[data-passage]")
    # The panel says "Loading the article…" until the text is in; the marks come with it.
    expect(passage.first).to_be_attached()
    assert body_text.text_content() == document["text"]  # the whole article, verbatim
    assert "".join(passage.all_text_contents()) == citation["quote"]
    expect(panel.locator("#panel-body mark.hl-answer")).to_have_text(answer["text"])
    expect(passage.first).to_be_in_viewport()

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(show).to_be_focused()


def test_an_error_from_the_server_is_shown_in_words(page: Page, live_server: LiveServer) -> None:
    message = "question: the question is empty; type a question about the document"
    page.route(
        "**/ask",
        lambda route: route.fulfill(status=422, json={"message": message, "detail": []}),
    )
    open_page(page, live_server)
    reply = ask(page, "Anything?")
    expect(reply).to_have_attribute("data-kind", "error")
    expect(reply.get_by_role("alert")).to_contain_text(message)


def test_a_stopped_server_gives_a_readable_error(page: Page, spare_server: LiveServer) -> None:
    open_page(page, spare_server)
    spare_server.stop()

    reply = ask(page, "Who is the Turkish Defense Minister?")
    expect(reply).to_have_attribute("data-kind", "error")
    alert = reply.get_by_role("alert")
    expect(alert).to_contain_text("Can't reach the server")
    expect(alert).to_contain_text("Check that the server is running")
    expect(page.locator("#send")).to_be_enabled()

    # "Try again" asks the same question once more (still no server: the same error, once).
    with page.expect_request(lambda r: r.url.endswith("/ask")) as retried:
        reply.get_by_role("button", name="Try again").click()
    assert retried.value.post_data_json["question"] == "Who is the Turkish Defense Minister?"
    expect(page.locator(".msg-user")).to_have_count(1)
    expect(replies(page)).to_have_count(1)
    expect(replies(page).last.get_by_role("alert")).to_contain_text("Can't reach the server")


def test_screenshots_fit_phone_and_both_themes(
    page: Page, live_server: LiveServer, screenshot_dir: Path
) -> None:
    def shot(name: str) -> None:
        page.mouse.move(0, 0)  # no hover effects in the pictures
        page.screenshot(path=screenshot_dir / f"{name}.png", animations="disabled")

    page.emulate_media(reduced_motion="reduce")  # the page then scrolls without animating
    open_page(page, live_server)
    ask(page, "Which city did Armenian forces fire missiles on?")
    ask(page, "How many civilians died there?")
    shot("desktop-light")

    page.emulate_media(color_scheme="dark")  # follows the system preference
    expect(page.locator("#theme-toggle")).to_have_attribute("aria-label", "Use light theme")
    shot("desktop-dark")

    page.set_viewport_size(PHONE)
    page.mouse.wheel(0, 10_000)  # to the newest answer
    shot("phone-dark")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"

    page.get_by_role("button", name="Use light theme").click()  # an explicit choice
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    shot("phone-light")

    replies(page).last.get_by_role("button", name="Show in the article").click()
    expect(page.locator("#panel-body mark.hl-answer")).to_be_in_viewport()
    shot("phone-article")
    for name in ("desktop-light", "desktop-dark", "phone-dark", "phone-light", "phone-article"):
        assert (screenshot_dir / f"{name}.png").stat().st_size > 10_000
