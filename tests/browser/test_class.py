"""A class in the browser: a teacher's tab and three students' tabs, each in a context of its own."""

import re
import subprocess
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BADGE = ".class-badge span"


def teach(open_lab, server):
    teacher = open_lab(server + "?class=new")
    expect(teacher.page.locator(BADGE).first).to_contain_text("Teaching class", timeout=15_000)
    code = re.search(r"class ([A-Z0-9]{6})", teacher.page.locator(BADGE).first.inner_text()).group(1)
    return teacher, code


def join(open_lab, server, code):
    student = open_lab(server + f"?class={code}")
    expect(student.page.locator(BADGE).first).to_contain_text("Following", timeout=15_000)
    return student


def expect_same(student, teacher, label="Total loss", timeout_s=10.0):
    """Wait until the student's page shows what the teacher's shows (both may still be drawing)."""
    deadline = time.monotonic() + timeout_s
    while True:
        theirs, ours = teacher.readout_text(label), student.readout_text(label)
        if theirs == ours:
            return ours
        if time.monotonic() > deadline:
            raise AssertionError(f"{label}: the teacher shows {theirs}, a student {ours}")
        student.page.wait_for_timeout(50)


def step(lab):
    """Press Step and wait until the page shows the step taken."""
    steps = lab.readout("Steps")
    lab.click("Step")
    expect(lab.page.locator("td.steps")).to_have_text(f"{steps + 1:.0f}")


def test_students_follow_the_teacher_fork_and_follow_again(open_lab, server, artifacts):
    teacher, code = teach(open_lab, server)
    students = [join(open_lab, server, code) for _ in range(3)]
    assert "teacher=" in teacher.page.url and "teacher=" not in students[0].page.url
    teacher.open_tab("Class")
    board = teacher.page.get_by_text(re.compile(r"\d+ connected · \d+ following"))
    expect(board).to_contain_text("3 connected · 3 following · 0 exploring", timeout=10_000)
    # A drag by the teacher reaches every student.
    before = teacher.readout_text("Total loss")
    teacher.drag_point(0, (2.0, 3.0))
    teacher.wait_for_change("Total loss", before)
    for student in students:
        expect_same(student, teacher)
    # So does a run: the students' step counts and losses end where the teacher's do.
    teacher.click("Run")
    expect(teacher.page.locator("td.steps")).not_to_have_text("0", timeout=10_000)
    teacher.page.wait_for_timeout(1000)
    teacher.click("Stop")
    expect(teacher.button("Run")).to_be_visible()
    for student in students:
        expect_same(student, teacher, "Steps")
        expect_same(student, teacher)
    # A student who tries it themselves changes nothing for the others.
    first, second, third = students
    first.open_tab("Class")
    first.click("Try it yourself")
    expect(first.page.locator(BADGE).first).to_contain_text("Exploring")
    expect(board).to_contain_text("3 connected · 2 following · 1 exploring", timeout=10_000)
    shown = teacher.readout_text("Total loss")
    first.drag_point(1, (-3.0, -3.0))
    first.wait_for_change("Total loss", shown)
    teacher.page.wait_for_timeout(500)
    assert teacher.readout_text("Total loss") == shown
    assert second.readout_text("Total loss") == shown
    # The class goes on without them; Follow again brings them back to where it is now.
    step(teacher)
    expect_same(second, teacher, "Steps")
    assert first.readout_text("Steps") != teacher.readout_text("Steps")
    first.click("Follow again")
    expect(first.page.locator(BADGE).first).to_contain_text("Following")
    expect(board).to_contain_text("3 connected · 3 following · 0 exploring", timeout=10_000)
    expect_same(first, teacher, "Steps")
    expect_same(first, teacher)
    third.page.screenshot(path=artifacts / "class-student.png")
    teacher.page.screenshot(path=artifacts / "class-teacher.png")


def parameters(lab):
    """W and b as the page's boxes show them."""
    texts = lab.page.locator(".parameter-panel input.value").evaluate_all(
        "boxes => boxes.map((box) => box.value)")
    return [float(text.replace("\u2212", "-")) for text in texts]


def test_a_following_page_draws_the_run_from_the_picture_stream_and_takes_over_the_lab_as_it_is(
        open_lab, server):
    teacher, code = teach(open_lab, server)
    student = join(open_lab, server, code)
    deadline = time.monotonic() + 10
    while not student.stream_pictures and time.monotonic() < deadline:  # its first picture
        student.page.wait_for_timeout(50)
    assert student.stream_pictures, "the student's page never opened the class's stream"
    teacher.click("Run")
    expect(teacher.page.locator("td.steps")).not_to_have_text("0", timeout=10_000)
    before = len(student.stream_pictures)
    shown = set()
    for _ in range(20):
        student.page.wait_for_timeout(75)
        shown.add(student.readout_text("Steps"))
    # Each step drawn came on the stream (the page's own document shows a run once a second).
    assert len(student.stream_pictures) - before >= 10
    assert len(shown) >= 8, shown
    # Taken over mid-run, the lab is the class's as the student saw it: its next step is the
    # one after the step shown, from the W and b shown.
    student.open_tab("Class")
    seen = student.readout("Steps")
    student.click("Try it yourself")
    expect(student.page.locator(BADGE).first).to_contain_text("Exploring")
    student.page.wait_for_timeout(300)
    steps = student.readout("Steps")
    assert steps >= seen  # not the step of some earlier moment
    W = parameters(student)
    student.page.wait_for_timeout(300)
    assert student.readout("Steps") == steps  # the class runs on without this page
    step(student)
    moved = parameters(student)
    assert moved != W
    assert max(abs(a - b) for a, b in zip(moved, W)) < 1.0  # one step of SGD from there
    teacher.click("Stop")
    student.click("Follow again")
    expect(student.page.locator(BADGE).first).to_contain_text("Following")
    expect_same(student, teacher, "Steps")
    expect_same(student, teacher)


def test_a_challenge_handed_in_by_two_students_is_on_the_board_best_first(open_lab, server,
                                                                         artifacts):
    teacher, code = teach(open_lab, server)
    students = [join(open_lab, server, code) for _ in range(2)]
    teacher.open_tab("Class")
    teacher.page.get_by_label("Challenge", exact=True).select_option(
        label="Total loss below a target, by hand")
    target = teacher.page.get_by_label("Target total loss")
    target.fill("100")
    target.press("Enter")
    teacher.click("Pose the challenge")
    for student in students:
        # The students see the teacher's tab: the class tab, with the goal.
        expect(student.page.get_by_text("Bring the total loss below 100")).to_be_visible(
            timeout=10_000)
    for name, student, point_to in (("Ann <b>", students[0], (-1.0, -1.0)),
                                    ("Bo", students[1], (1.2, -1.2))):
        student.click("Try it yourself")
        student.page.get_by_label("Your nickname (shown on the board)").fill(name)
        student.page.get_by_label("Your nickname (shown on the board)").press("Enter")
        student.open_tab("Points")
        before = student.readout_text("Total loss")
        student.drag_point(2, point_to)
        student.wait_for_change("Total loss", before)
        student.open_tab("Class")
        student.click("Hand in my lab")
        expect(student.page.get_by_text("Handed in")).to_be_visible(timeout=10_000)
    losses = {name: float(s.readout_text("Total loss"))
              for name, s in (("Ann <b>", students[0]), ("Bo", students[1]))}
    board = teacher.page.locator("table.board")
    expect(board.locator("tr")).to_have_count(3, timeout=10_000)
    rows = board.locator("tr").all_inner_texts()
    best_first = sorted(losses, key=losses.get)
    assert [row.split("\t")[1] for row in rows[1:]] == best_first  # plain text, "<b>" and all
    expect(teacher.page.locator(".board-counts")).to_contain_text("2 handed in")
    # One click puts a handed-in lab on the projector, and so on every follower's screen.
    teacher.page.get_by_label("Lab handed in").select_option(index=0)
    teacher.click("Show it here")
    expect(teacher.page.locator("td.total-loss")).to_have_text(
        f"{losses[best_first[0]]:.4f}", timeout=10_000)
    teacher.page.screenshot(path=artifacts / "class-board.png")


def test_a_student_cannot_drive_the_class(open_lab, server):
    teacher, code = teach(open_lab, server)
    mallory, other = join(open_lab, server, code), join(open_lab, server, code)
    shown = teacher.readout_text("Total loss")
    # Through the page's own document: set W in the student's lab directly, as a crafted
    # websocket message would.
    mallory.page.evaluate("""() => {
      const doc = Bokeh.documents[0]
      for (const m of doc.all_models) {
        if (m.type == "FloatInput" || (m.type == "TextInput" && m.value && !isNaN(+m.value))) {
          m.value = typeof m.value == "number" ? m.value + 5 : String(+m.value + 5)
        }
      }
    }""")
    mallory.page.keyboard.press("s")  # and a Step
    teacher.page.wait_for_timeout(1000)
    assert teacher.readout_text("Total loss") == shown
    assert other.readout_text("Total loss") == shown
    assert teacher.readout_text("Steps") == "0"
    # A teacher link with a wrong token drives nothing either.
    forged = open_lab(server + f"?class={code}&teacher=forged")
    expect(forged.page.get_by_text("not (or no longer) the link of a class").first).to_be_visible(
        timeout=10_000)
    forged.page.keyboard.press("s")
    teacher.page.wait_for_timeout(500)
    assert other.readout_text("Steps") == "0"


@pytest.fixture
def two_servers(redis_url):
    """Two `losslab` processes sharing classes through one real Redis server."""
    from tests.browser.conftest import start_server

    started = [start_server("--class-hub", redis_url) for _ in range(2)]
    yield [url for _, url in started]
    for process, _ in started:
        process.terminate()
    for process, _ in started:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: it is stopped all the same
            process.kill()
            process.wait()


# `two_servers` before `open_lab`: the pages close (at open_lab's end) while their servers still
# run, so that no page reports a lost connection as a console error.
def test_students_on_another_process_follow_through_redis(two_servers, open_lab):
    teaching, following = two_servers
    teacher, code = teach(open_lab, teaching)
    students = [join(open_lab, following, code) for _ in range(2)]
    before = teacher.readout_text("Total loss")
    teacher.drag_point(0, (2.0, 3.0))
    teacher.wait_for_change("Total loss", before)
    step(teacher)
    for student in students:
        expect_same(student, teacher)
        expect_same(student, teacher, "Steps")
    first, second = students
    first.open_tab("Class")
    first.click("Try it yourself")
    first.page.keyboard.press("s")
    expect(first.page.locator("td.steps")).to_have_text("2")
    teacher.page.wait_for_timeout(500)
    assert teacher.readout_text("Steps") == "1" and second.readout_text("Steps") == "1"
    step(teacher)
    expect_same(second, teacher, "Steps")
    first.click("Follow again")
    expect_same(first, teacher, "Steps")
    expect_same(first, teacher)


def test_the_class_tab_fits_a_laptop_and_a_phone_without_sideways_scrolling(open_lab, server):
    overflow = "() => document.documentElement.scrollWidth - innerWidth"
    teacher = open_lab(server + "?class=new", viewport=(1280, 720))
    expect(teacher.page.locator(BADGE).first).to_contain_text("Teaching class", timeout=15_000)
    code = re.search(r"class ([A-Z0-9]{6})", teacher.page.locator(BADGE).first.inner_text()).group(1)
    teacher.open_tab("Class")
    expect(teacher.button("Show it here")).to_be_visible()
    assert teacher.page.evaluate(overflow) <= 0
    # The badge and the page's buttons share the header's one line on a laptop.
    tops = [teacher.page.locator(".class-teaching").bounding_box()["y"],
            *(teacher.button(name).bounding_box()["y"]
              for name in ("Fit view", "Presentation", "⌨ Shortcuts"))]
    assert tops and max(tops) - min(tops) < 20, tops
    for viewport in ((1280, 720), (390, 844)):
        student = open_lab(server + f"?class={code}", viewport=viewport, has_touch=True,
                           is_mobile=viewport[0] < 900)
        expect(student.page.locator(BADGE).first).to_contain_text("Following", timeout=15_000)
        student.open_tab("Class")
        expect(student.button("Try it yourself")).to_be_visible()
        assert student.page.evaluate(overflow) <= 0, viewport
