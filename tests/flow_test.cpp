// The child's flow without any rendering, over a real SQLite store and a
// clock the test moves.
#include "flow/flow.hpp"
#include "full_disk_vfs.hpp"
#include "open_store.hpp"
#include "pack/shelf.hpp"
#include "storage/store.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace sayso;
using flow::Millis;
using flow::Screen;
using test::TempDir;

namespace {

struct Fixture {
    TempDir tmp;
    flow::ManualClock clock;
    std::unique_ptr<storage::Store> store;
    std::shared_ptr<const pack::Pack> pack;
    std::unique_ptr<flow::Flow> flow;

    Fixture() {
        test::FullDisk::install();
        test::FullDisk::full = false;
        store = test::open_store(tmp / "answers.db", storage::Store::Mode::ReadWrite, test::FullDisk::name);
        auto r = pack::load_pack(test::default_pack);
        REQUIRE(r.ok());
        pack = r.pack;
        flow = std::make_unique<flow::Flow>(clock, *store);
    }

    void hand_over(const std::string& band, const std::string& visit = "visit") {
        flow->select_pack(pack);
        REQUIRE(flow->select_band(band));
        REQUIRE(flow->select_visit(visit));
        REQUIRE(flow->hand_over());
        REQUIRE(flow->screen() == Screen::Welcome);
    }

    void pass(Millis ms) {
        clock.advance(ms);
        flow->tick();
    }

    // Reopens the database from disk, as after a restart.
    std::vector<storage::StoredResponse> stored() {
        auto reopened = test::open_store(tmp / "answers.db", storage::Store::Mode::ReadOnly);
        std::vector<storage::StoredResponse> all;
        REQUIRE(reopened->for_each_response([&](const storage::StoredResponse& r) {
            all.push_back(r);
            return true;
        }));
        return all;
    }
};

} // namespace

TEST_CASE("the practitioner must pick a band and a visit type before handing over") {
    Fixture f;
    auto& flow = *f.flow;
    CHECK(flow.screen() == Screen::Practitioner);
    flow.select_pack(f.pack);
    CHECK_FALSE(flow.can_hand_over());
    CHECK_FALSE(flow.select_band("99-100"));
    CHECK(flow.select_band("8-11"));
    CHECK_FALSE(flow.can_hand_over());
    CHECK_FALSE(flow.start()); // no child screen yet
    CHECK(flow.select_visit("review"));
    CHECK(flow.can_hand_over());
    CHECK(flow.hand_over());
    CHECK(flow.screen() == Screen::Welcome);
    const auto stored = f.stored();
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].state == "in_progress");
    CHECK(stored[0].start.band == "8-11");
    CHECK(stored[0].start.visit_type == "review");
    CHECK(stored[0].start.pack_version == "1.1.0");
    CHECK(stored[0].start.id.size() == 32);
    CHECK(stored[0].device_id.size() == 32);
}

TEST_CASE("a child answers, skips, goes back and finishes; every tap is on disk") {
    Fixture f;
    auto& flow = *f.flow;
    f.hand_over("8-11");
    REQUIRE(flow.start());
    CHECK(flow.session()->question().id == "listened");

    // A single-choice answer is saved at once and moves on after the confirmation.
    REQUIRE(flow.choose("happy"));
    CHECK(flow.confirming() == "happy");
    CHECK(f.stored()[0].answers.size() == 1);
    f.pass(Millis(300));
    CHECK(flow.session()->question().id == "listened");
    // The same answer again while it shows (a double tap): counted once, and
    // the question still moves on when the first confirmation ends.
    CHECK_FALSE(flow.choose("happy"));
    f.pass(Millis(400));
    CHECK(flow.session()->question().id == "knows-me");
    CHECK(flow.confirming().empty());

    SUBCASE("skip is stored as a skip") {
        REQUIRE(flow.skip());
        CHECK(flow.session()->question().id == "decisions");
        auto answers = f.stored()[0].answers;
        REQUIRE(answers.size() == 2);
        CHECK(answers[1].question_id == "knows-me");
        CHECK(answers[1].skipped);
        CHECK(answers[1].options.empty());
    }
    SUBCASE("back shows the earlier answer, and a new choice replaces it") {
        REQUIRE(flow.back());
        CHECK(flow.session()->question().id == "listened");
        CHECK(flow.session()->picked.count("happy") == 1);
        REQUIRE(flow.choose("ok"));
        f.pass(Millis(700));
        auto answers = f.stored()[0].answers;
        REQUIRE(answers.size() == 1);
        CHECK(answers[0].options == std::vector<std::string>{"ok"});
        // Back from the first question is the welcome screen, and no further.
        flow.back();
        REQUIRE(flow.back());
        CHECK(flow.screen() == Screen::Welcome);
        CHECK_FALSE(flow.back());
    }
    SUBCASE("next moves on from an answered single choice without answering again") {
        REQUIRE(flow.back());
        REQUIRE(flow.next());
        CHECK(flow.session()->question().id == "knows-me");
        CHECK_FALSE(flow.next()); // not answered yet
    }
    SUBCASE("the whole band to the thank-you, then back to the practitioner") {
        flow.choose("very_happy");
        f.pass(Millis(700));
        flow.choose("yes");
        f.pass(Millis(700));
        flow.choose("not_sure");
        f.pass(Millis(700));
        flow.choose("sad");
        f.pass(Millis(700));
        REQUIRE(flow.session()->question().kind == pack::Kind::PickMany);
        CHECK_FALSE(flow.next()); // nothing picked: skip is the way on
        flow.choose("home");
        flow.choose("explain");
        flow.choose("fun");
        flow.choose("fun"); // tapped again: unpicked
        REQUIRE(flow.next());
        // The band ends with anything else the child wants to say, out loud; a skip is the way on.
        REQUIRE(flow.session()->question().kind == pack::Kind::Voice);
        CHECK_FALSE(flow.next()); // nothing recorded
        REQUIRE(flow.skip());
        CHECK(flow.screen() == Screen::Thanks);
        auto r = f.stored()[0];
        CHECK(r.state == "complete");
        REQUIRE(r.answers.size() == 7);
        CHECK(r.answers[5].options == std::vector<std::string>{"explain", "home"}); // the pack's order
        CHECK(r.answers[5].measure == "better_services");
        CHECK(r.answers[6].question_id == "tell-us");
        CHECK(r.answers[6].skipped);
        CHECK(r.ended_at_ms.has_value());

        f.pass(Millis(7'900));
        CHECK(flow.screen() == Screen::Thanks);
        f.pass(Millis(200));
        CHECK(flow.screen() == Screen::Practitioner);
        // Nothing of the child's session is left to show.
        CHECK(flow.session() == nullptr);
        CHECK(flow.selected_band().empty());
        CHECK(flow.selected_visit() == "visit"); // a worker's visits are often of one kind
    }
}

TEST_CASE("free text is typed, corrected and kept verbatim") {
    Fixture f;
    auto& flow = *f.flow;
    f.hand_over("12-17");
    flow.start();
    while (flow.session()->question().kind != pack::Kind::FreeText)
        REQUIRE(flow.skip());
    CHECK_FALSE(flow.next()); // nothing typed
    CHECK(flow.type("I like my worker"));
    CHECK(flow.type(" \xc5\xbc")); // "ż", two bytes
    CHECK(flow.erase());           // removes the whole letter
    CHECK(flow.session()->draft == "I like my worker ");
    CHECK(flow.type("a lot"));
    REQUIRE(flow.next());
    CHECK(flow.screen() == Screen::Thanks);
    auto r = f.stored()[0];
    CHECK(r.answers.back().text == "I like my worker a lot");
    CHECK(r.answers.back().kind == "text");
}

TEST_CASE("a text answer can't grow past the pack's limit") {
    Fixture f;
    auto& flow = *f.flow;
    f.hand_over("12-17");
    flow.start();
    while (flow.session()->question().kind != pack::Kind::FreeText)
        flow.skip();
    const std::string fifty(50, 'x');
    for (int i = 0; i < 20; ++i)
        CHECK(flow.type(fifty));
    CHECK_FALSE(flow.type("y"));
    CHECK(flow.session()->draft.size() == 1000);
}

TEST_CASE("a child who walks away: are you still there, then the session ends and keeps the answers") {
    Fixture f;
    auto& flow = *f.flow;
    f.hand_over("8-11");
    flow.start();
    flow.choose("sad");
    f.pass(Millis(700));
    const auto idle = flow.settings().idle_timeout;

    f.pass(idle - Millis(700) - Millis(1)); // the idle timer runs from the last touch
    CHECK(flow.screen() == Screen::Question);
    REQUIRE(flow.next_deadline());
    CHECK(*flow.next_deadline() == f.clock.monotonic() + Millis(1));
    f.pass(Millis(1));
    CHECK(flow.screen() == Screen::StillThere);

    SUBCASE("still here: back to the same question") {
        REQUIRE(flow.still_here());
        CHECK(flow.screen() == Screen::Question);
        CHECK(flow.session()->question().id == "knows-me");
    }
    SUBCASE("no answer: the response is kept, incomplete") {
        flow.touch(); // a touch on the prompt itself does not dismiss it
        f.pass(flow.settings().still_there_timeout);
        CHECK(flow.screen() == Screen::Practitioner);
        CHECK(flow.session() == nullptr);
        auto r = f.stored()[0];
        CHECK(r.state == "incomplete");
        REQUIRE(r.answers.size() == 1);
        CHECK(r.answers[0].options == std::vector<std::string>{"sad"});
    }
}

TEST_CASE("words typed or tiles picked before walking away are kept") {
    Fixture f;
    auto& flow = *f.flow;
    f.hand_over("16-25");
    flow.start();
    while (flow.session()->question().kind != pack::Kind::PickMany)
        flow.skip();
    flow.choose("money");
    flow.choose("housing");
    f.pass(flow.settings().idle_timeout);
    f.pass(flow.settings().still_there_timeout);
    CHECK(flow.screen() == Screen::Practitioner);
    auto r = f.stored()[0];
    CHECK(r.state == "incomplete");
    CHECK(r.answers.back().question_id == "support");
    CHECK(r.answers.back().options == std::vector<std::string>{"housing", "money"});
}

TEST_CASE("a session finishes on the pack version it started with") {
    Fixture f;
    auto& flow = *f.flow;
    test::copy_pack(f.tmp / "packs" / "p");
    pack::Shelf shelf(f.tmp / "packs", pack::Trust{{}, true});
    shelf.reload();
    flow.select_pack(shelf.find("after-my-visit"));
    flow.select_band("4-7");
    flow.select_visit("plan");
    REQUIRE(flow.hand_over());
    flow.start();

    // Version 2 arrives with different questions while the child answers.
    test::copy_pack(f.tmp / "v2", [](nlohmann::json& j) {
        j["version"] = "2.0.0";
        j["bands"][0]["questions"].erase(0);
    });
    std::filesystem::copy_file(f.tmp / "v2" / "pack.json", f.tmp / "packs" / "p" / "pack.json",
                               std::filesystem::copy_options::overwrite_existing);
    REQUIRE(shelf.reload());
    REQUIRE(shelf.find("after-my-visit")->version == "2.0.0");

    CHECK(flow.session()->pack->version == "1.1.0");
    CHECK(flow.session()->question().id == "listened");
    while (flow.screen() == Screen::Question)
        flow.skip();
    auto r = f.stored()[0];
    CHECK(r.start.pack_version == "1.1.0");
    CHECK(r.answers.size() == 5); // version 1.1.0's 4-7 band, not 2.0.0's
}

TEST_CASE("when the disk fills mid-session no answer is dropped, and the practitioner is told") {
    Fixture f;
    auto& flow = *f.flow;
    f.hand_over("8-11");
    flow.start();
    flow.choose("happy");
    f.pass(Millis(700));

    // The disk fills: the next answer can't be written.
    test::FullDisk::full = true;
    flow.choose("very_happy");
    CHECK(flow.unsaved() == 1);
    REQUIRE(flow.storage_problem());
    CHECK(flow.storage_problem()->kind == flow::StorageProblem::Kind::DiskFull);
    CHECK(flow::describe(*flow.storage_problem()).find("storage is full") != std::string::npos);
    f.pass(Millis(700));
    flow.skip();
    CHECK(flow.unsaved() == 2);

    // The child carries on; space comes back; the answers are saved in order.
    test::FullDisk::full = false;
    f.pass(flow.settings().retry_interval);
    CHECK(flow.unsaved() == 0);
    CHECK_FALSE(flow.storage_problem());
    auto answers = f.stored()[0].answers;
    REQUIRE(answers.size() == 3);
    CHECK(answers[1].options == std::vector<std::string>{"very_happy"});
    CHECK(answers[2].skipped);
}

TEST_CASE("no new child is handed a survey while answers are waiting to be saved") {
    Fixture f;
    auto& flow = *f.flow;
    f.hand_over("4-7");
    flow.start();
    test::FullDisk::full = true;
    while (flow.screen() == Screen::Question)
        flow.skip();
    f.pass(flow.settings().thanks_duration);
    REQUIRE(flow.screen() == Screen::Practitioner);
    CHECK(flow.unsaved() > 0);
    flow.select_band("4-7");
    const auto refused = flow.hand_over();
    REQUIRE_FALSE(refused);
    CHECK(refused.problem().kind == flow::StorageProblem::Kind::DiskFull);
    CHECK(flow.screen() == Screen::Practitioner);

    test::FullDisk::full = false;
    CHECK(flow.hand_over());
    CHECK(flow.screen() == Screen::Welcome);
    auto all = f.stored();
    REQUIRE(all.size() == 2);
    CHECK(all[0].state == "complete");
    CHECK(all[0].answers.size() == 5);
}

TEST_CASE("a manual clock's wall time starts where it was set and moves with it") {
    flow::ManualClock c(1'700'000'000'000);
    CHECK(c.wall_ms() == 1'700'000'000'000);
    c.advance(Millis(1500));
    CHECK(c.wall_ms() == 1'700'000'001'500);
    CHECK(c.monotonic() > Millis(1500)); // never near 0, which stands for "never"
}

TEST_CASE("with a PIN, sessions end on the locked screen and only unlock opens the practitioner screen") {
    Fixture f;
    auto& flow = *f.flow;
    flow.set_locking(true);
    REQUIRE(flow.lock());
    CHECK(flow.screen() == Screen::Locked);
    CHECK_FALSE(flow.select_band("4-7")); // nothing behind the PIN pad can be touched
    REQUIRE(flow.unlock());
    f.hand_over("4-7");
    flow.start();
    while (flow.screen() == Screen::Question)
        flow.skip();
    REQUIRE(flow.finish());
    CHECK(flow.screen() == Screen::Locked);
    CHECK(flow.session() == nullptr);
    SUBCASE("also when the child walks away") {
        flow.unlock();
        f.hand_over("8-11");
        f.pass(flow.settings().idle_timeout);
        f.pass(flow.settings().still_there_timeout);
        CHECK(flow.screen() == Screen::Locked);
    }
}

TEST_CASE("the child's own stop ends the session, keeps the answers and marks it incomplete") {
    Fixture f;
    auto& flow = *f.flow;
    f.hand_over("12-17");
    REQUIRE(flow.stop()); // from the welcome screen, before any answer
    auto first = f.stored().at(0);
    CHECK(first.state == "incomplete");
    CHECK(first.answers.empty());
    f.pass(flow.settings().thanks_duration);
    REQUIRE(flow.screen() == Screen::Practitioner);

    f.hand_over("12-17");
    flow.start();
    flow.choose("happy");
    f.pass(Millis(700));
    flow.choose("sad"); // the second answer, still confirming
    REQUIRE(flow.stop());
    CHECK(flow.screen() == Screen::Thanks);
    CHECK_FALSE(flow.stop()); // once
    auto r = f.stored().at(1);
    CHECK(r.state == "incomplete");
    REQUIRE(r.answers.size() == 2);
    CHECK(r.answers[1].options == std::vector<std::string>{"sad"});
    f.pass(flow.settings().thanks_duration);
    CHECK(flow.screen() == Screen::Practitioner);
    CHECK(flow.session() == nullptr);
}

TEST_CASE("a child who asks to talk: the flag is kept with the response and waits for the practitioner") {
    Fixture f;
    auto& flow = *f.flow;
    REQUIRE(f.pack->talk_button);
    CHECK_FALSE(flow.ask_to_talk()); // not on the practitioner screen

    SUBCASE("with the talk button, from the welcome screen") {
        f.hand_over("4-7");
        REQUIRE(flow.ask_to_talk());
        CHECK(flow.session()->asked_to_talk);
        CHECK(f.stored().at(0).asked_to_talk); // on disk at once, mid-session
        CHECK(flow.screen() == Screen::Talk);  // the child is told their worker will talk with them
        CHECK_FALSE(flow.start());
        REQUIRE(flow.carry_on());
        CHECK(flow.screen() == Screen::Welcome);
        CHECK_FALSE(flow.carry_on());
        REQUIRE(flow.ask_to_talk()); // pressing again tells them again, and changes nothing stored
        REQUIRE(flow.carry_on());
        CHECK(flow.talk_requests() == 0); // not shown until the child is done
        REQUIRE(flow.start());
        while (flow.screen() == Screen::Question)
            flow.skip();
        REQUIRE(flow.finish());
    }
    SUBCASE("with an answer the pack marks, in a pick-many question") {
        f.hand_over("8-11");
        flow.start();
        while (flow.session()->question().id != "better")
            flow.skip();
        REQUIRE(flow.choose("worry"));
        CHECK(flow.screen() == Screen::Talk);
        REQUIRE(flow.carry_on());
        CHECK(flow.session()->question().id == "better"); // back where they were, the pick still made
        CHECK(flow.session()->picked.count("worry") == 1);
        REQUIRE(flow.choose("worry")); // unpicking it does not take the request back
        CHECK(flow.session()->asked_to_talk);
        REQUIRE(flow.stop());
        f.pass(flow.settings().thanks_duration);
    }
    REQUIRE(flow.screen() == Screen::Practitioner);
    CHECK(flow.talk_requests() == 1);
    const auto r = f.stored().at(0);
    CHECK(r.asked_to_talk);

    // The next child who does not ask leaves the notice as it is; seeing it clears it.
    f.pass(Millis(1000)); // a later start, so the stored order is certain
    f.hand_over("12-17");
    flow.stop();
    f.pass(flow.settings().thanks_duration);
    CHECK(flow.talk_requests() == 1);
    CHECK_FALSE(f.stored().at(1).asked_to_talk);
    REQUIRE(flow.acknowledge_talk());
    CHECK(flow.talk_requests() == 0);
    CHECK_FALSE(flow.acknowledge_talk());
}

TEST_CASE("a practitioner code and a case reference go with the response; the admin's pattern is enforced") {
    Fixture f;
    auto& flow = *f.flow;
    flow.select_pack(f.pack);
    flow.select_band("8-11");
    flow.select_visit("visit");
    CHECK(flow.can_hand_over()); // both are optional

    REQUIRE(flow.set_case_pattern("C-[0-9]{6}"));
    CHECK_FALSE(flow.set_case_pattern("C-[0-9")); // does not compile: the old pattern stays
    CHECK(flow.case_pattern() == "C-[0-9]{6}");
    CHECK_FALSE(flow.set_case_ref("C-12345")); // too short for the pattern
    CHECK_FALSE(flow.can_hand_over());
    CHECK_FALSE(flow.set_case_ref("Jane Smith")); // names are not references
    CHECK_FALSE(flow.set_practitioner_code("Mrs Jones"));
    CHECK_FALSE(flow.can_hand_over());
    CHECK(flow.set_practitioner_code("SW-042"));
    CHECK(flow.set_case_ref("C-123456"));
    REQUIRE(flow.can_hand_over());
    REQUIRE(flow.hand_over());
    flow.stop();
    f.pass(flow.settings().thanks_duration);

    const auto r = f.stored().at(0);
    CHECK(r.start.practitioner_code == "SW-042");
    CHECK(r.start.case_ref == "C-123456");
    // The next child: the practitioner is the same, the case is not.
    CHECK(flow.practitioner_code() == "SW-042");
    CHECK(flow.case_ref().empty());
}

TEST_CASE("a child's text size, contrast, font and motion last their session and reset for the next child") {
    Fixture f;
    auto& flow = *f.flow;
    flow.select_pack(f.pack);
    CHECK_FALSE(flow.set_access({})); // not on the practitioner screen
    f.hand_over("8-11");
    flow::Access a;
    a.text_size = 2;
    a.high_contrast = true;
    a.easy_font = true;
    a.less_motion = true;
    REQUIRE(flow.set_access(a));
    a.text_size = 3;
    CHECK_FALSE(flow.set_access(a)); // three steps only
    REQUIRE(flow.start());
    CHECK(flow.session()->access.text_size == 2);
    CHECK(flow.session()->access.easy_font);
    flow.stop();
    f.pass(flow.settings().thanks_duration);
    f.hand_over("8-11");
    CHECK(flow.session()->access == flow::Access{});
}

TEST_CASE("a sticker on the thank-you screen gives a few more seconds, and is never stored") {
    Fixture f;
    auto& flow = *f.flow;
    f.hand_over("4-7");
    CHECK_FALSE(flow.pick_sticker("star")); // only on the thank-you screen
    flow.stop();
    f.pass(flow.settings().thanks_duration - Millis(1000));
    REQUIRE(flow.pick_sticker("unicorn"));
    CHECK(flow.session()->sticker == "unicorn");
    f.pass(Millis(2000)); // past the usual end
    CHECK(flow.screen() == Screen::Thanks);
    f.pass(Millis(2000));
    CHECK(flow.screen() == Screen::Practitioner);
    CHECK(f.stored().at(0).state == "incomplete");
}

TEST_CASE("the admin screen opens from the practitioner screen or the PIN pad, never during a child's session") {
    Fixture f;
    auto& flow = *f.flow;
    REQUIRE(flow.open_admin(true));
    CHECK(flow.screen() == Screen::AdminPin);
    CHECK_FALSE(flow.select_band("8-11")); // nothing behind it can be touched
    REQUIRE(flow.admin_unlock());
    CHECK(flow.screen() == Screen::Admin);
    REQUIRE(flow.close_admin());
    CHECK(flow.screen() == Screen::Practitioner);

    flow.set_locking(true);
    REQUIRE(flow.lock());
    REQUIRE(flow.open_admin(false));
    CHECK(flow.screen() == Screen::Admin);
    REQUIRE(flow.close_admin());
    CHECK(flow.screen() == Screen::Locked); // back behind the PIN

    flow.unlock();
    f.hand_over("8-11");
    CHECK_FALSE(flow.open_admin(false));
    CHECK(flow.screen() == Screen::Welcome);
}

TEST_CASE("an unlocked practitioner screen left alone locks itself; an admin screen left open closes") {
    Fixture f;
    auto& flow = *f.flow;
    flow.set_locking(true);
    REQUIRE(flow.lock());
    REQUIRE(flow.unlock());
    f.pass(flow.settings().practitioner_idle - Millis(1000));
    CHECK(flow.screen() == Screen::Practitioner);
    flow.touch(); // the practitioner is still choosing
    f.pass(Millis(2000));
    CHECK(flow.screen() == Screen::Practitioner);
    REQUIRE(flow.next_deadline());
    f.pass(flow.settings().practitioner_idle);
    CHECK(flow.screen() == Screen::Locked);

    REQUIRE(flow.open_admin(false));
    f.pass(flow.settings().admin_idle);
    CHECK(flow.screen() == Screen::Locked);

    flow.set_locking(false);
    f.pass(flow.settings().practitioner_idle * 2);
    CHECK(flow.screen() == Screen::Practitioner); // without a PIN there is nothing to lock
}

TEST_CASE("a draw question: nothing drawn can't go on, a drawing is kept as a PNG on next and while going back, and "
          "a skip throws it away") {
    Fixture f;
    // The default pack with a draw question first in the 8-11 band, instead of its own drawing and recording.
    const auto dir = test::copy_pack(f.tmp / "pack", [](nlohmann::json& j) {
        test::without_own_words(j);
        for (auto& b : j["bands"])
            if (b["id"] == "8-11")
                b["questions"].insert(
                    b["questions"].begin(),
                    nlohmann::json{{"id", "my-picture"}, {"kind", "draw"}, {"text", {{"en", "Draw"}}}});
    });
    auto loaded = pack::load_pack(dir);
    REQUIRE(loaded.ok());
    f.pack = loaded.pack;
    auto& flow = *f.flow;
    f.hand_over("8-11");
    REQUIRE(flow.start());
    REQUIRE(flow.session()->question().id == "my-picture");
    CHECK(flow.drawing() == nullptr); // nothing until the child draws
    CHECK_FALSE(flow.next());
    CHECK_FALSE(flow.pick_tool(99));
    REQUIRE(flow.pick_tool(2));
    REQUIRE(flow.draw_from({100, 100}));
    REQUIRE(flow.draw_to({400, 300}));
    REQUIRE(flow.draw_end());
    REQUIRE(flow.drawing());
    CHECK_FALSE(flow.drawing()->empty());
    CHECK(flow.clear_drawing());
    CHECK_FALSE(flow.next()); // cleared: nothing to send
    CHECK(flow.undo_drawing());
    REQUIRE(flow.next());
    auto stored = f.stored().at(0).answers;
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].kind == "draw");
    CHECK(stored[0].media_type == "image/png");
    CHECK(stored[0].media.rfind("\x89PNG", 0) == 0);
    const std::string first = stored[0].media;

    // Back: the drawing is there; more strokes, then back again keeps them.
    REQUIRE(flow.back());
    REQUIRE(flow.drawing());
    REQUIRE(flow.draw_from({500, 500}));
    REQUIRE(flow.draw_end());
    REQUIRE(flow.back()); // to the welcome screen
    stored = f.stored().at(0).answers;
    CHECK(stored[0].media != first);
    // A skip throws it away: stored as a skip, no picture.
    REQUIRE(flow.start());
    REQUIRE(flow.skip());
    stored = f.stored().at(0).answers;
    CHECK(stored[0].skipped);
    CHECK(stored[0].media.empty());
    REQUIRE(flow.back());
    CHECK(flow.drawing() == nullptr);

    // Drawn and kept, then rubbed out and walked away from: the picture is not sent.
    REQUIRE(flow.draw_from({10, 10}));
    REQUIRE(flow.draw_end());
    REQUIRE(flow.next());
    REQUIRE(f.stored().at(0).answers[0].media.rfind("\x89PNG", 0) == 0);
    REQUIRE(flow.back());
    REQUIRE(flow.clear_drawing());
    REQUIRE(flow.back()); // to the welcome screen: what is on the question is kept as it is
    stored = f.stored().at(0).answers;
    CHECK(stored[0].skipped);
    CHECK(stored[0].media.empty());
}

namespace {
// The default pack with a voice question of `seconds` first in the 8-11 band, instead of its own drawing and
// recording.
std::shared_ptr<const pack::Pack> with_voice_question(const std::filesystem::path& dir, int seconds = 5) {
    const auto copy = test::copy_pack(dir, [seconds](nlohmann::json& j) {
        test::without_own_words(j);
        test::add_voice_words(j);
        for (auto& b : j["bands"])
            if (b["id"] == "8-11")
                b["questions"].insert(b["questions"].begin(), nlohmann::json{{"id", "my-voice"},
                                                                             {"kind", "voice"},
                                                                             {"max_seconds", seconds},
                                                                             {"text", {{"en", "Tell us"}}}});
    });
    auto loaded = pack::load_pack(copy);
    REQUIRE(loaded.ok());
    return loaded.pack;
}

std::vector<std::int16_t> tone(std::size_t n) {
    std::vector<std::int16_t> s(n);
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<std::int16_t>((i / 55) % 2 ? 6000 : -6000);
    return s;
}
} // namespace

TEST_CASE("a voice question: record, stop, try again, keep with next; nothing is sent unless kept, and a skip throws "
          "it away") {
    Fixture f;
    f.pack = with_voice_question(f.tmp / "pack");
    auto& flow = *f.flow;
    f.hand_over("8-11");
    REQUIRE(flow.start());
    REQUIRE(flow.session()->question().id == "my-voice");
    CHECK(flow.take() == nullptr);
    CHECK_FALSE(flow.next()); // nothing recorded: skip is the way on
    CHECK_FALSE(flow.stop_recording());
    CHECK_FALSE(flow.heard(tone(10).data(), 10)); // not recording: the microphone's samples go nowhere

    REQUIRE(flow.record());
    CHECK(flow.recording());
    CHECK_FALSE(flow.record()); // already recording
    CHECK_FALSE(flow.next());   // not while recording
    const auto said = tone(48000);
    REQUIRE(flow.heard(said.data(), said.size()));
    REQUIRE(flow.stop_recording());
    CHECK_FALSE(flow.recording());
    REQUIRE(flow.take());
    CHECK(flow.take()->seconds() == doctest::Approx(1.0));
    CHECK(f.stored().at(0).answers.empty()); // recorded, not yet kept

    // Try again: the first goes; a stop before anything was heard leaves the record button.
    REQUIRE(flow.record_again());
    CHECK(flow.take() == nullptr);
    REQUIRE(flow.record());
    REQUIRE(flow.stop_recording());
    CHECK(flow.take() == nullptr);

    // Recorded, and kept with next: an Ogg Opus answer.
    REQUIRE(flow.record());
    REQUIRE(flow.heard(said.data(), said.size()));
    REQUIRE(flow.heard(said.data(), 24000));
    REQUIRE(flow.stop_recording());
    REQUIRE(flow.next());
    auto stored = f.stored().at(0).answers;
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].kind == "voice");
    CHECK(stored[0].media_type == "audio/ogg");
    CHECK(stored[0].media.rfind("OggS", 0) == 0);
    CHECK_FALSE(stored[0].skipped);

    // Back: the kept recording is there to listen to. Trying again takes it back (a skip stands until another
    // is kept); a new one made and walked away from is not sent.
    REQUIRE(flow.back());
    REQUIRE(flow.take());
    CHECK(flow.take()->seconds() == doctest::Approx(1.5));
    REQUIRE(flow.record_again());
    stored = f.stored().at(0).answers;
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].skipped);
    CHECK(stored[0].media.empty());
    REQUIRE(flow.record());
    REQUIRE(flow.heard(said.data(), 4800));
    REQUIRE(flow.back()); // to the welcome screen, mid-recording: it stops, and is not kept
    CHECK_FALSE(flow.recording());
    stored = f.stored().at(0).answers;
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].skipped);
    REQUIRE(flow.start());
    REQUIRE(flow.take());
    CHECK(flow.take()->seconds() == doctest::Approx(0.1));

    // A skip throws it away.
    REQUIRE(flow.skip());
    stored = f.stored().at(0).answers;
    CHECK(stored[0].skipped);
    CHECK(stored[0].media.empty());
    REQUIRE(flow.back());
    CHECK(flow.take() == nullptr);
}

TEST_CASE("a voice recording stops by itself at the pack's length, and a child speaking is a child still there") {
    Fixture f;
    f.pack = with_voice_question(f.tmp / "pack", 5);
    auto& flow = *f.flow;
    f.hand_over("8-11");
    REQUIRE(flow.start());
    REQUIRE(flow.record());
    const auto said = tone(4800);
    // Six seconds of samples a tenth of a second at a time, as the clock moves: the take ends at five.
    int handed = 0;
    while (flow.recording() && handed < 60) {
        f.pass(Millis(100));
        flow.heard(said.data(), said.size());
        ++handed;
    }
    CHECK(handed == 50);
    REQUIRE(flow.take());
    CHECK(flow.take()->seconds() == doctest::Approx(5.0));
    // The idle timer ran from the last samples, not from the tap that began.
    f.pass(Millis(89'000));
    CHECK(flow.screen() == Screen::Question);
    REQUIRE(flow.next());
    CHECK(f.stored().at(0).answers.at(0).media_type == "audio/ogg");
}

TEST_CASE("a recording under way stops when the child is asked whether they are still there, or stops the session") {
    Fixture f;
    f.pack = with_voice_question(f.tmp / "pack", 120);
    auto& flow = *f.flow;
    f.hand_over("8-11");
    REQUIRE(flow.start());
    REQUIRE(flow.record());
    // A quiet room, heard for 89 s: nobody is there, and the idle timer runs on.
    const std::vector<std::int16_t> quiet(4800, 3);
    for (int i = 0; i < 890; ++i) {
        f.pass(Millis(100));
        REQUIRE(flow.heard(quiet.data(), quiet.size()));
    }
    CHECK(flow.recording());
    f.pass(Millis(1'000));
    REQUIRE(flow.screen() == Screen::StillThere);
    CHECK_FALSE(flow.recording());
    REQUIRE(flow.still_here());
    REQUIRE(flow.take()); // what the microphone heard is there to listen to, or to try again
    CHECK_FALSE(flow.take()->recording());
    REQUIRE(flow.record_again());
    REQUIRE(flow.record());
    const auto said = tone(4800);
    REQUIRE(flow.heard(said.data(), said.size()));
    REQUIRE(flow.stop());
    CHECK_FALSE(flow.recording());
    CHECK(f.stored().at(0).answers.empty()); // stop keeps what was kept; this never was
}

namespace {
// The default pack with a screen saying who will see (a band of its own words for 4-7) and, when asked, the
// child's choice to send their words with or without their case reference.
std::shared_ptr<const pack::Pack> with_intro(const std::filesystem::path& dir, bool name_choice) {
    const auto copy = test::copy_pack(dir, [name_choice](nlohmann::json& j) {
        j["intro"] = {{"en", "Your worker and their manager will see what you say. You can skip or stop."}};
        if (name_choice) {
            j["name_choice"] = true;
            j["words"]["with_name"] = {{"en", "Send it with my name"}};
            j["words"]["without_name"] = {{"en", "Send it without my name"}};
        }
        for (auto& b : j["bands"])
            if (b["id"] == "4-7") b["intro"] = {{"en", "Your worker will see your answers."}};
    });
    auto loaded = pack::load_pack(copy);
    REQUIRE(loaded.ok());
    return loaded.pack;
}
} // namespace

TEST_CASE("who will see: a screen between the welcome and the first question, back to either, and the band's own "
          "words where it has them") {
    Fixture f;
    f.pack = with_intro(f.tmp / "pack", false);
    auto& flow = *f.flow;
    REQUIRE(flow.set_case_ref("C-1"));
    f.hand_over("8-11");
    CHECK(f.stored().at(0).start.case_ref == "C-1"); // no choice offered: kept as the practitioner gave it
    CHECK_FALSE(flow.go_on(true));
    REQUIRE(flow.start());
    CHECK(flow.screen() == Screen::Intro);
    CHECK_FALSE(flow.name_choice());
    CHECK(flow.session()
              ->pack->text(flow.session()->pack->intro_for(*flow.session()->band), "en")
              .rfind("Your worker and their manager", 0) == 0);
    REQUIRE(flow.back());
    CHECK(flow.screen() == Screen::Welcome);
    REQUIRE(flow.start());
    REQUIRE(flow.go_on(true));
    CHECK(flow.screen() == Screen::Question);
    CHECK(flow.session()->index == 0);
    REQUIRE(flow.back());
    CHECK(flow.screen() == Screen::Intro);
    // Asked whether still there on it, and back to it.
    f.pass(Millis(90'000));
    REQUIRE(flow.screen() == Screen::StillThere);
    REQUIRE(flow.still_here());
    CHECK(flow.screen() == Screen::Intro);
    REQUIRE(flow.stop());
    CHECK(f.stored().at(0).answers.empty());
    CHECK(f.stored().at(0).state == "incomplete");

    REQUIRE(flow.finish());
    f.hand_over("4-7");
    REQUIRE(flow.start());
    CHECK(flow.session()->pack->text(flow.session()->pack->intro_for(*flow.session()->band), "en") ==
          "Your worker will see your answers.");
}

TEST_CASE("with or without my name: the case reference is written only once the child chooses to send it, and "
          "taken off again if they change their mind") {
    Fixture f;
    f.pack = with_intro(f.tmp / "pack", true);
    auto& flow = *f.flow;
    auto stored_ref = [&] { return f.stored().at(0).start.case_ref; };

    SUBCASE("without") {
        REQUIRE(flow.set_case_ref("C-777"));
        f.hand_over("8-11");
        CHECK(stored_ref().empty()); // not yet chosen: not written
        REQUIRE(flow.start());
        CHECK(flow.name_choice());
        REQUIRE(flow.go_on(false));
        CHECK(stored_ref().empty());
        REQUIRE(flow.choose("happy"));
        f.pass(Millis(800));
        REQUIRE(flow.stop());
        CHECK(stored_ref().empty());
        CHECK(f.stored().at(0).answers.size() == 1);
    }
    SUBCASE("with, then without: never written") {
        REQUIRE(flow.set_case_ref("C-777"));
        f.hand_over("8-11");
        REQUIRE(flow.start());
        REQUIRE(flow.go_on(true));
        CHECK(stored_ref().empty()); // written as the session ends, not before
        REQUIRE(flow.back());
        REQUIRE(flow.go_on(false));
        REQUIRE(flow.stop());
        CHECK(stored_ref().empty());
    }
    SUBCASE("without, then with: written as the session ends") {
        REQUIRE(flow.set_case_ref("C-777"));
        f.hand_over("8-11");
        REQUIRE(flow.start());
        REQUIRE(flow.go_on(false));
        REQUIRE(flow.back());
        REQUIRE(flow.go_on(true));
        CHECK(stored_ref().empty());
        REQUIRE(flow.stop());
        CHECK(stored_ref() == "C-777");
        CHECK(f.stored().at(0).state == "incomplete");
    }
    SUBCASE("walked away before choosing: no name") {
        REQUIRE(flow.set_case_ref("C-777"));
        f.hand_over("8-11");
        REQUIRE(flow.start());
        f.pass(Millis(90'000));
        f.pass(Millis(30'000));
        CHECK(flow.screen() == Screen::Practitioner);
        CHECK(stored_ref().empty());
    }
    SUBCASE("no case reference given: nothing to choose") {
        f.hand_over("8-11");
        REQUIRE(flow.start());
        CHECK_FALSE(flow.name_choice());
        REQUIRE(flow.go_on(true));
        CHECK(stored_ref().empty());
    }
}

TEST_CASE("asking to talk from a single-choice answer the pack marks: told first, then the answer moves on; and the "
          "child can stop from the screen that tells them") {
    Fixture f;
    const auto dir = test::copy_pack(f.tmp / "pack", [](nlohmann::json& j) {
        for (auto& b : j["bands"])
            if (b["id"] == "4-7")
                for (auto& o : b["questions"][3]["options"])
                    if (o["id"] == "talk") o["asks_to_talk"] = true;
    });
    auto loaded = pack::load_pack(dir);
    REQUIRE(loaded.ok());
    f.pack = loaded.pack;
    auto& flow = *f.flow;
    f.hand_over("4-7");
    REQUIRE(flow.start());
    for (int i = 0; i < 3; ++i)
        REQUIRE(flow.skip());
    REQUIRE(flow.session()->question().id == "best");
    REQUIRE(flow.choose("talk"));
    CHECK(flow.screen() == Screen::Talk);
    f.pass(Millis(5'000)); // the answer waits while the child reads
    CHECK(flow.screen() == Screen::Talk);
    REQUIRE(flow.carry_on());
    f.pass(Millis(1));
    CHECK(flow.screen() == Screen::Question); // the answer shows as chosen again first
    CHECK(flow.confirming() == "talk");
    f.pass(flow.settings().confirm_delay);
    REQUIRE(flow.screen() == Screen::Question); // answered: on to the drawing that ends the band
    CHECK(flow.session()->question().id == "my-picture");
    CHECK(f.stored().at(0).answers.back().options == std::vector<std::string>{"talk"});
    REQUIRE(flow.skip());
    CHECK(flow.screen() == Screen::Thanks);

    REQUIRE(flow.finish());
    f.hand_over("4-7");
    REQUIRE(flow.ask_to_talk());
    REQUIRE(flow.stop());
    CHECK(flow.screen() == Screen::Thanks);
    CHECK(f.stored().at(0).asked_to_talk);
}

namespace {

// Skips every question of the session's band, to the thank-you screen.
void skip_to_thanks(flow::Flow& flow) {
    REQUIRE(flow.start());
    for (int guard = 0; flow.screen() != Screen::Thanks && guard < 100; ++guard) {
        if (flow.screen() == Screen::Intro) REQUIRE(flow.go_on(true)); // with their name, where they have one
        if (flow.screen() == Screen::Question) REQUIRE(flow.skip());
    }
    REQUIRE(flow.screen() == Screen::Thanks);
}

} // namespace

TEST_CASE("brothers and sisters in one visit: the next child takes a turn from the thank-you screen without the PIN, "
          "picks their own band, and nothing of the child before stays") {
    Fixture f;
    f.flow = std::make_unique<flow::Flow>(f.clock, *f.store, flow::Settings{.allow_draft_languages = true});
    auto& flow = *f.flow;
    flow.set_locking(true); // on the practitioner screen, unlocked
    REQUIRE(flow.set_practitioner_code("SW-042"));
    REQUIRE(flow.set_case_ref("C-123456"));
    f.hand_over("12-17");
    CHECK_FALSE(flow.next_child()); // not mid-session
    flow::Access big;
    big.text_size = 2;
    REQUIRE(flow.set_access(big));
    REQUIRE(flow.set_language("pl"));
    skip_to_thanks(flow);
    REQUIRE(flow.pick_sticker("cat"));
    f.pass(Millis(1000));
    const std::string first_visit = flow.session()->visit_id;
    CHECK(first_visit.size() == 32);

    REQUIRE(flow.next_child());
    CHECK(flow.screen() == Screen::NextChild);
    CHECK(flow.session() == nullptr); // nothing of the child before
    CHECK(flow.case_ref().empty());
    CHECK_FALSE(flow.choose_band("99-100"));
    CHECK(flow.screen() == Screen::NextChild);
    REQUIRE(flow.choose_band("8-11"));
    REQUIRE(flow.screen() == Screen::Welcome);
    const auto* s = flow.session();
    REQUIRE(s);
    CHECK(s->band->id == "8-11");
    CHECK(s->visit_id == first_visit);
    CHECK(s->language == f.pack->first_language());
    CHECK(s->access == flow::Access{});
    CHECK(s->sticker.empty());
    CHECK(s->case_ref.empty());
    skip_to_thanks(flow);
    REQUIRE(flow.finish());
    CHECK(flow.screen() == Screen::Locked); // the PIN again once the visit's children are done

    const auto stored = f.stored();
    REQUIRE(stored.size() == 2);
    CHECK(stored[0].start.visit_id == first_visit);
    CHECK(stored[1].start.visit_id == first_visit);
    CHECK(stored[0].start.id != stored[1].start.id);
    CHECK(stored[0].start.case_ref == "C-123456");
    CHECK(stored[1].start.case_ref.empty()); // their own response, without the first child's reference
    CHECK(stored[1].start.practitioner_code == "SW-042");
    CHECK(stored[1].start.band == "8-11");
    CHECK(stored[1].start.visit_type == "visit");
    CHECK(stored[1].state == "complete");

    // The next hand-over from the practitioner screen is a new visit.
    REQUIRE(flow.unlock());
    f.hand_over("8-11");
    CHECK(flow.session()->visit_id.size() == 32);
    CHECK(flow.session()->visit_id != first_visit);
}

TEST_CASE("the next child's band choice left alone, or closed by the practitioner, goes back as the thank-you does") {
    Fixture f;
    auto& flow = *f.flow;
    flow.set_locking(true);
    f.hand_over("8-11");
    skip_to_thanks(flow);
    REQUIRE(flow.next_child());
    // Past the thank-you's own time, it waits for the next child.
    f.pass(flow.settings().thanks_duration + Millis(1000));
    CHECK(flow.screen() == Screen::NextChild);
    REQUIRE(flow.next_deadline());
    f.pass(flow.settings().idle_timeout);
    CHECK(flow.screen() == Screen::Locked);
    CHECK_FALSE(flow.choose_band("8-11"));

    REQUIRE(flow.unlock());
    f.hand_over("8-11");
    skip_to_thanks(flow);
    REQUIRE(flow.next_child());
    REQUIRE(flow.finish()); // "done": no next child after all
    CHECK(flow.screen() == Screen::Locked);
    CHECK(f.stored().size() == 2);
}

TEST_CASE("a pack that lets children send their words without their name links no visits") {
    Fixture f;
    f.pack = with_intro(f.tmp / "pack", true);
    auto& flow = *f.flow;
    REQUIRE(flow.set_case_ref("C-1"));
    f.hand_over("8-11");
    CHECK(flow.session()->visit_id.empty());
    skip_to_thanks(flow);
    REQUIRE(flow.next_child());
    REQUIRE(flow.choose_band("12-17"));
    CHECK(flow.session()->visit_id.empty());
    for (const auto& r : f.stored())
        CHECK(r.start.visit_id.empty());
    // Without the choice, the same visit links them.
    Fixture g;
    g.pack = with_intro(g.tmp / "pack", false);
    g.hand_over("8-11");
    CHECK(g.flow->session()->visit_id.size() == 32);
}
