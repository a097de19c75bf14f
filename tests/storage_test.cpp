#include "full_disk_vfs.hpp"
#include "open_store.hpp"
#include "storage/store.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

using namespace sayso;
using test::TempDir;

namespace {

std::unique_ptr<storage::Store> open_ok(const std::filesystem::path& p,
                                        storage::Store::Mode m = storage::Store::Mode::ReadWrite) {
    return test::open_store(p, m);
}

flow::ResponseStart start(const std::string& id) {
    return {.id = id,
            .pack_id = "after-my-visit",
            .pack_version = "1.0.0",
            .band = "8-11",
            .visit_type = "visit",
            .language = "en",
            .started_at_ms = 1'700'000'000'000};
}

flow::AnswerRecord answer(int i) {
    flow::AnswerRecord a;
    a.question_id = "q" + std::to_string(i);
    a.position = i;
    a.kind = "faces";
    a.measure = "listened";
    a.options = {"happy"};
    a.answered_at_ms = 1'700'000'000'000 + i;
    return a;
}

std::vector<storage::StoredResponse> all(storage::Store& s) {
    std::vector<storage::StoredResponse> out;
    REQUIRE(s.for_each_response([&](const storage::StoredResponse& r) {
        out.push_back(r);
        return true;
    }));
    return out;
}

void sql(const std::filesystem::path& db, const char* statement) {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    REQUIRE(sqlite3_exec(h, statement, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(h);
}

} // namespace

TEST_CASE("a new database is in WAL mode at the newest schema, with a device id that lasts") {
    TempDir tmp;
    std::string device;
    {
        auto s = open_ok(tmp / "a.db");
        device = s->device_id();
        CHECK(device.size() == 32);
    }
    auto again = open_ok(tmp / "a.db");
    CHECK(again->device_id() == device);
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open((tmp / "a.db").c_str(), &h) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
    sqlite3_finalize(st);
    sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(sqlite3_column_int(st, 0) == storage::schema_version());
    sqlite3_finalize(st);
    sqlite3_close(h);
}

TEST_CASE("answers are there after reopening, a changed answer replaces the old one") {
    TempDir tmp;
    {
        auto s = open_ok(tmp / "a.db");
        REQUIRE(s->begin(start("r1")));
        REQUIRE(s->record("r1", answer(0)));
        auto changed = answer(0);
        changed.options = {"sad"};
        REQUIRE(s->record("r1", changed));
        auto text = answer(1);
        text.kind = "text";
        text.options.clear();
        text.text = "quotes \" and commas, and a newline\nand emoji \xf0\x9f\x99\x82";
        REQUIRE(s->record("r1", text));
        REQUIRE(s->finish("r1", flow::Completion::Complete, 1'700'000'100'000));
    }
    auto s = open_ok(tmp / "a.db", storage::Store::Mode::ReadOnly);
    auto rs = all(*s);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].state == "complete");
    CHECK(*rs[0].ended_at_ms == 1'700'000'100'000);
    REQUIRE(rs[0].answers.size() == 2);
    CHECK(rs[0].answers[0].options == std::vector<std::string>{"sad"});
    CHECK(rs[0].answers[1].text == "quotes \" and commas, and a newline\nand emoji \xf0\x9f\x99\x82");
}

TEST_CASE("an answer tapped before a crash is still there after reopening") {
    TempDir tmp;
    const auto db = tmp / "crash.db";
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The "tablet": saves answers and says so after each commit, until killed.
        close(ready[0]);
        auto opened = storage::Store::open(db);
        if (!opened || !(*opened)->begin(start("crashing"))) _exit(1);
        auto& s = *opened;
        for (int i = 0;; ++i) {
            if (!s->record("crashing", answer(i))) _exit(1);
            char c = 1;
            if (write(ready[1], &c, 1) != 1) _exit(1);
        }
    }
    close(ready[1]);
    int acknowledged = 0;
    char c;
    while (acknowledged < 25 && read(ready[0], &c, 1) == 1)
        ++acknowledged;
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    close(ready[0]);
    REQUIRE(acknowledged == 25);
    CHECK(WIFSIGNALED(status));

    auto s = open_ok(db);
    const auto closed = s->close_abandoned();
    REQUIRE(closed);
    CHECK(*closed == 1);
    auto rs = all(*s);
    REQUIRE(rs.size() == 1);
    // Every answer the child process reported as saved is there (perhaps one more).
    CHECK(rs[0].answers.size() >= 25);
    for (int i = 0; i < 25; ++i)
        CHECK(rs[0].answers[static_cast<std::size_t>(i)].question_id == "q" + std::to_string(i));
    CHECK(rs[0].state == "incomplete");
    CHECK(*rs[0].ended_at_ms == rs[0].answers.back().answered_at_ms);
}

TEST_CASE("storage problems are reported by kind, never silently") {
    TempDir tmp;

    SUBCASE("a database from a newer Sayso is refused") {
        { open_ok(tmp / "new.db"); }
        sql(tmp / "new.db", "PRAGMA user_version = 99");
        const auto opened = storage::Store::open(tmp / "new.db");
        REQUIRE_FALSE(opened);
        CHECK(opened.problem().kind == storage::StorageProblem::Kind::TooNew);
        CHECK(opened.problem().detail.find("99") != std::string::npos);
        CHECK(opened.words().find("newer Sayso") != std::string::npos);
    }
    SUBCASE("a corrupt file") {
        test::write_file(tmp / "bad.db", std::string(8192, 'x'));
        const auto opened = storage::Store::open(tmp / "bad.db");
        REQUIRE_FALSE(opened);
        CHECK(opened.problem().kind == storage::StorageProblem::Kind::Corrupt);
        CHECK(test::read_file(tmp / "bad.db") == std::string(8192, 'x')); // left as it was, for an admin
    }
    SUBCASE("a folder that can't hold the file") {
        const auto opened = storage::Store::open(tmp / "no" / "such" / "folder.db");
        REQUIRE_FALSE(opened);
        CHECK(opened.problem().kind == storage::StorageProblem::Kind::CannotOpen);
    }
    SUBCASE("a file locked by another program") {
        auto s = open_ok(tmp / "locked.db");
        sqlite3* other = nullptr;
        REQUIRE(sqlite3_open((tmp / "locked.db").c_str(), &other) == SQLITE_OK);
        REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
        const auto begun = s->begin(start("r1"));
        REQUIRE_FALSE(begun);
        CHECK(begun.problem().kind == storage::StorageProblem::Kind::Locked);
        sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(other);
        CHECK(s->begin(start("r1"))); // works once the lock is gone
    }
    SUBCASE("a read-only database") {
        { open_ok(tmp / "ro.db"); }
        auto s = open_ok(tmp / "ro.db", storage::Store::Mode::ReadOnly);
        const auto begun = s->begin(start("r1"));
        REQUIRE_FALSE(begun);
        CHECK(begun.problem().kind == storage::StorageProblem::Kind::ReadOnly);
    }
    SUBCASE("a full disk") {
        test::FullDisk::install();
        auto s = test::open_store(tmp / "full.db", storage::Store::Mode::ReadWrite, test::FullDisk::name);
        REQUIRE(s->begin(start("r1")));
        test::FullDisk::full = true;
        const auto kept = s->record("r1", answer(0));
        test::FullDisk::full = false;
        REQUIRE_FALSE(kept);
        CHECK(kept.problem().kind == storage::StorageProblem::Kind::DiskFull);
        CHECK(s->record("r1", answer(0)));
        CHECK(all(*s)[0].answers.size() == 1);
    }
}

TEST_CASE("sayso-admin responses prints every response as JSON lines or CSV") {
    TempDir tmp;
    {
        auto s = open_ok(tmp / "a.db");
        REQUIRE(s->begin(start("r1")));
        auto a = answer(0);
        REQUIRE(s->record("r1", a));
        auto t = answer(1);
        t.kind = "text";
        t.options.clear();
        t.text = "=HYPERLINK(\"x\"), \"said\"";
        REQUIRE(s->record("r1", t));
        auto skip = answer(2);
        skip.skipped = true;
        skip.options.clear();
        REQUIRE(s->record("r1", skip));
        REQUIRE(s->finish("r1", flow::Completion::Complete, 1'700'000'100'000));
        REQUIRE(s->begin(start("r2")));
    }
    auto jsonl = test::run({SAYSO_ADMIN, "responses", "--db", (tmp / "a.db").string(), "--format", "jsonl"});
    REQUIRE(jsonl.code == 0);
    std::istringstream lines(jsonl.out);
    std::string line;
    std::vector<nlohmann::json> rows;
    while (std::getline(lines, line))
        rows.push_back(nlohmann::json::parse(line));
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["id"] == "r1");
    CHECK(rows[0]["state"] == "complete");
    CHECK(rows[0]["started_at"] == "2023-11-14T22:13:20.000Z");
    REQUIRE(rows[0]["answers"].size() == 3);
    CHECK(rows[0]["answers"][1]["text"] == "=HYPERLINK(\"x\"), \"said\"");
    CHECK(rows[0]["answers"][2]["skipped"] == true);
    CHECK(rows[1]["answers"].empty());
    CHECK(rows[1]["ended_at"].is_null());
    CHECK(rows[0]["delivered_at"].is_null());

    auto csv = test::run({SAYSO_ADMIN, "responses", "--db", (tmp / "a.db").string(), "--format", "csv"});
    REQUIRE(csv.code == 0);
    CHECK(csv.out.rfind("\"response_id\",\"device_id\",\"pack_id\"", 0) == 0);
    // Header, three answers of r1, one row for r2 with no answers; each cell under its own heading.
    CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 5);
    const auto table = test::read_csv_table(csv.out);
    REQUIRE(table.size() == 4);
    CHECK(table[0].at("response_id") == "r1");
    CHECK(table[0].at("state") == "complete");
    CHECK(table[0].at("asked_to_talk") == "false");
    CHECK(table[0].at("question_id") == "q0");
    CHECK(table[0].at("position") == "0");
    CHECK(table[0].at("options") == "happy");
    CHECK(table[1].at("kind") == "text");
    CHECK(table[1].at("text") == "'=HYPERLINK(\"x\"), \"said\"");
    CHECK(table[2].at("skipped") == "true");
    CHECK(table[2].at("answered_at") == "2023-11-14T22:13:20.002Z");
    CHECK(table[3].at("response_id") == "r2");
    CHECK(table[3].at("question_id").empty());
    // A child's words are never run as a spreadsheet formula; quotes are doubled.
    CHECK(csv.out.find("\"'=HYPERLINK(\"\"x\"\"), \"\"said\"\"\"") != std::string::npos);

    auto missing = test::run({SAYSO_ADMIN, "responses", "--db", (tmp / "none.db").string()});
    CHECK(missing.code == 1);
    CHECK(missing.err.find("can't be opened") != std::string::npos);
}

TEST_CASE("a version 1 database is migrated and its answers wait in the outbox") {
    TempDir tmp;
    sql(tmp / "v1.db", test::read_file(test::source_dir / "tests" / "data" / "schema-v1.sql").c_str());
    auto s = open_ok(tmp / "v1.db");
    CHECK(s->device_id() == "0123456789abcdef0123456789abcdef");
    const auto out = s->outbox(10).value_or({});
    REQUIRE(out.size() == 1);
    CHECK(out[0].start.id == "00000000000000000000000000000001");
    CHECK(out[0].answers.at(0).options == std::vector<std::string>{"happy"});
    CHECK_FALSE(out[0].delivered_at_ms);
    CHECK_FALSE(out[0].asked_to_talk); // columns added later read as their defaults
    CHECK(out[0].start.case_ref.empty());
}

TEST_CASE("device settings are kept, replaced and removed") {
    TempDir tmp;
    {
        auto s = open_ok(tmp / "a.db");
        const auto v = s->setting("case_pattern");
        REQUIRE(v);
        CHECK_FALSE(*v);
        REQUIRE(s->set_setting("case_pattern", std::string("C-[0-9]+")));
        REQUIRE(s->set_setting("case_pattern", std::string("[A-Z]{2}[0-9]{4}")));
        REQUIRE(s->set_setting("other", std::string("x")));
        REQUIRE(s->set_setting("other", std::nullopt));
    }
    auto s = open_ok(tmp / "a.db");
    const auto v = s->setting("case_pattern");
    REQUIRE(v);
    CHECK(*v == "[A-Z]{2}[0-9]{4}");
    const auto other = s->setting("other");
    REQUIRE(other);
    CHECK_FALSE(*other);
}

TEST_CASE("the outbox gives ended responses oldest first, and forgets them once acknowledged") {
    TempDir tmp;
    {
        auto s = open_ok(tmp / "a.db");
        // Started out of order; one still in progress.
        for (auto [id, at] : {std::pair{"c", 3}, {"a", 1}, {"d", 4}, {"b", 2}}) {
            auto st = start(id);
            st.started_at_ms = at;
            REQUIRE(s->begin(st));
            REQUIRE(s->record(id, answer(0)));
            if (std::string(id) != "d")
                REQUIRE(s->finish(
                    id, std::string(id) == "b" ? flow::Completion::Incomplete : flow::Completion::Complete, at + 100));
        }
        CHECK(s->waiting().value_or(-1) == 3);
        auto out = s->outbox(2).value_or({});
        REQUIRE(out.size() == 2);
        CHECK(out[0].start.id == "a");
        CHECK(out[1].start.id == "b");
        CHECK(out[1].state == "incomplete");
        // Reading on from where a batch ended gives the rest, in order.
        out = s->outbox_after(10, out[1].start.started_at_ms, out[1].start.id).value_or({});
        REQUIRE(out.size() == 1);
        CHECK(out[0].start.id == "c");

        // "d" is in progress and "zz" unknown: neither is marked.
        CHECK(s->mark_delivered({"a", "b", "d", "zz"}, 1'800'000'000'000).value_or(-1) == 2);
        CHECK(s->mark_delivered({"a"}, 1'800'000'000'001).value_or(-1) ==
              0); // already delivered: the first time stands
        REQUIRE(s->mark_rejected("c", "unknown pack"));
        const auto after = s->outbox(10);
        REQUIRE(after);
        CHECK(after->empty()); // a refused response is kept, but not offered again
        sql(tmp / "a.db", "UPDATE responses SET rejected_reason = NULL WHERE id = 'c'");
    }
    auto s = open_ok(tmp / "a.db");
    const auto out = s->outbox(10).value_or({});
    REQUIRE(out.size() == 1);
    CHECK(out[0].start.id == "c");
    CHECK(s->waiting().value_or(-1) == 1);
    bool seen = false;
    REQUIRE(s->for_each_response([&](const storage::StoredResponse& r) {
        if (r.start.id == "a") {
            seen = true;
            CHECK(*r.delivered_at_ms == 1'800'000'000'000);
        }
        return true;
    }));
    CHECK(seen);
}

TEST_CASE("marking delivered on a full disk marks nothing and says so") {
    TempDir tmp;
    test::FullDisk::install();
    auto s = test::open_store(tmp / "full.db", storage::Store::Mode::ReadWrite, test::FullDisk::name);
    for (const char* id : {"a", "b"}) {
        REQUIRE(s->begin(start(id)));
        REQUIRE(s->finish(id, flow::Completion::Complete, 1));
    }
    test::FullDisk::full = true;
    const auto marked = s->mark_delivered({"a", "b"}, 5);
    test::FullDisk::full = false;
    REQUIRE_FALSE(marked);
    CHECK(marked.problem().kind == storage::StorageProblem::Kind::DiskFull);
    CHECK(s->waiting().value_or(-1) == 2); // nothing was marked
}

namespace {

const std::string secret = "a secret only this child knows";

// A response whose one answer is words that must not outlive a wipe.
void keep_secret(storage::Store& s) {
    REQUIRE(s.begin(start("00000000000000000000000000000042")));
    flow::AnswerRecord a;
    a.question_id = "anything-else";
    a.kind = "text";
    a.text = secret;
    REQUIRE(s.record("00000000000000000000000000000042", a));
}

} // namespace

TEST_CASE("wiping removes every answer, PIN and setting, and gives the tablet a new device id") {
    TempDir tmp;
    auto s = open_ok(tmp / "a.db");
    const std::string old_device = s->device_id();
    keep_secret(*s);
    REQUIRE(s->set_pin("admin", "hash"));
    REQUIRE(s->set_setting("case_pattern", std::string("C-[0-9]+")));
    REQUIRE(s->wipe());
    CHECK(s->device_id().size() == 32);
    CHECK(s->device_id() != old_device);
    int n = 0;
    REQUIRE(s->for_each_response([&](const storage::StoredResponse&) { return ++n, true; }));
    CHECK(n == 0);
    const auto pin = s->pin("admin");
    REQUIRE(pin);
    CHECK_FALSE(*pin);
    s.reset();
    // Not in the file, nor in its write-ahead log.
    for (const char* f : {"a.db", "a.db-wal"}) {
        std::error_code ec;
        if (!std::filesystem::exists(tmp / f, ec)) continue;
        CHECK(test::read_file(tmp / f).find(secret) == std::string::npos);
    }
}

TEST_CASE("a wipe while another connection holds the log erases the rows, says compacting did not finish, and finishes"
          " once it closes") {
    TempDir tmp;
    auto s = open_ok(tmp / "a.db");
    keep_secret(*s);
    // Another program reading the answers file keeps a snapshot, so the log can't be emptied.
    sqlite3* reader = nullptr;
    REQUIRE(sqlite3_open((tmp / "a.db").c_str(), &reader) == SQLITE_OK);
    REQUIRE(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM answers;", nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(s->erase_all()); // the rows go before the log is tried
    const auto blocked = s->compact();
    REQUIRE_FALSE(blocked);
    CHECK(blocked.problem().kind == storage::StorageProblem::Kind::Locked);
    CHECK(blocked.problem().detail.find("write-ahead log") != std::string::npos);
    CHECK_FALSE(s->wipe()); // and so does a whole wipe while the reader stays
    // The rows are gone already.
    int n = 0;
    REQUIRE(s->for_each_response([&](const storage::StoredResponse&) { return ++n, true; }));
    CHECK(n == 0);
    REQUIRE(sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(reader);
    REQUIRE(s->wipe());
    // With the store still open: the log is empty and the file holds nothing of it.
    std::error_code ec;
    CHECK(std::filesystem::file_size(tmp / "a.db-wal", ec) == 0);
    CHECK(test::read_file(tmp / "a.db").find(secret) == std::string::npos);
}

TEST_CASE("retention: responses acknowledged long enough ago are deleted with their answers; others stay") {
    TempDir tmp;
    auto s = open_ok(tmp / "a.db");
    for (const char* id :
         {"00000000000000000000000000000001", "00000000000000000000000000000002", "00000000000000000000000000000003"}) {
        REQUIRE(s->begin(start(id)));
        flow::AnswerRecord a;
        a.question_id = "anything-else";
        a.kind = "text";
        a.text = std::string("words of ") + id;
        REQUIRE(s->record(id, a));
        REQUIRE(s->finish(id, flow::Completion::Complete, 1'700'000'100'000));
    }
    REQUIRE(s->mark_delivered({"00000000000000000000000000000001"}, 1'000));
    REQUIRE(s->mark_delivered({"00000000000000000000000000000002"}, 5'000));
    CHECK(s->purge_delivered(2'000).value_or(-1) == 1);
    std::vector<std::string> left;
    REQUIRE(s->for_each_response([&](const storage::StoredResponse& r) {
        left.push_back(r.start.id);
        CHECK(r.answers.size() == 1);
        return true;
    }));
    // The one delivered later stays until its time; the undelivered one always.
    CHECK(left == std::vector<std::string>{"00000000000000000000000000000002", "00000000000000000000000000000003"});
    CHECK(s->purge_delivered(10'000).value_or(-1) == 1);
    s.reset();
    const std::string bytes = test::read_file(tmp / "a.db") + test::read_file(tmp / "a.db-wal");
    CHECK(bytes.find("words of 00000000000000000000000000000001") == std::string::npos);
    CHECK(bytes.find("words of 00000000000000000000000000000003") != std::string::npos); // still waiting: kept
}

TEST_CASE("retention in parts: at most as many as asked, the earliest acknowledged first, each with its answers") {
    TempDir tmp;
    auto s = open_ok(tmp / "a.db");
    std::vector<std::string> ids;
    for (int i = 1; i <= 7; ++i) {
        char id[33];
        std::snprintf(id, sizeof id, "%032d", i);
        ids.push_back(id);
        REQUIRE(s->begin(start(id)));
        flow::AnswerRecord a;
        a.question_id = "anything-else";
        a.kind = "text";
        a.text = "words";
        REQUIRE(s->record(id, a));
        REQUIRE(s->finish(id, flow::Completion::Complete, 1'700'000'100'000));
        // Acknowledged in the opposite order to their starts.
        REQUIRE(s->mark_delivered({id}, 10'000 - i));
    }
    CHECK(s->purge_delivered(20'000, 3).value_or(-1) == 3);
    auto left = [&] {
        std::vector<std::string> out;
        REQUIRE(s->for_each_response([&](const storage::StoredResponse& r) {
            out.push_back(r.start.id);
            CHECK(r.answers.size() == 1);
            return true;
        }));
        return out;
    };
    CHECK(left() == std::vector<std::string>(ids.begin(), ids.begin() + 4)); // the last three acknowledged first
    CHECK(s->purge_delivered(20'000, 3).value_or(-1) == 3);
    CHECK(s->purge_delivered(20'000, 3).value_or(-1) == 1);
    CHECK(s->purge_delivered(20'000, 3).value_or(-1) == 0);
    CHECK(left().empty());
    // No answer is left without its response.
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open((tmp / "a.db").c_str(), &h) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(h, "SELECT count(*) FROM answers", -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(sqlite3_column_int(st, 0) == 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

TEST_CASE("the answers file and its WAL are readable by the kiosk's user alone") {
    TempDir tmp;
    auto s = open_ok(tmp / "a.db");
    REQUIRE(s->begin(start("00000000000000000000000000000009")));
    for (const char* f : {"a.db", "a.db-wal"}) {
        INFO(f);
        struct stat st {};
        REQUIRE(stat((tmp / f).c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
    }
}

TEST_CASE("a wipe whose compaction fails on a full disk has still erased the rows; compacting later gives the new id") {
    TempDir tmp;
    test::FullDisk::install();
    auto s = test::open_store(tmp / "full.db", storage::Store::Mode::ReadWrite, test::FullDisk::name);
    keep_secret(*s);
    const std::string old_device = s->device_id();
    REQUIRE(s->erase_all());
    test::FullDisk::full = true;
    const auto compacted = s->compact();
    test::FullDisk::full = false;
    REQUIRE_FALSE(compacted);
    CHECK(compacted.problem().kind == storage::StorageProblem::Kind::DiskFull);
    CHECK(all(*s).empty()); // the answers are gone all the same
    REQUIRE(s->compact());
    CHECK(s->device_id().size() == 32);
    CHECK(s->device_id() != old_device);
}

TEST_CASE("a drawing is kept with its answer in one commit, replaced when drawn again, gone with a skip, in "
          "the outbox with its response, and wiped and purged with it") {
    TempDir tmp;
    auto s = open_ok(tmp / "a.db");
    const std::string id = "00000000000000000000000000000077";
    REQUIRE(s->begin(start(id)));
    flow::AnswerRecord a;
    a.question_id = "my-picture";
    a.kind = "draw";
    a.media = std::string("\x89PNG\r\n\x1a\n", 8) + "FIRST-PICTURE" + std::string(1, '\0') + "bytes";
    a.media_type = "image/png";
    REQUIRE(s->record(id, a));
    auto rs = all(*s);
    REQUIRE(rs.size() == 1);
    REQUIRE(rs[0].answers.size() == 1);
    CHECK(rs[0].answers[0].media == a.media); // bytes as they were, NUL and all
    CHECK(rs[0].answers[0].media_type == "image/png");

    a.media = "SECOND-PICTURE";
    REQUIRE(s->record(id, a));
    CHECK(all(*s)[0].answers[0].media == "SECOND-PICTURE");

    // Ended, it waits in the outbox with its picture.
    REQUIRE(s->finish(id, flow::Completion::Complete, 1'700'000'001'000));
    auto waiting = s->outbox(10);
    REQUIRE(waiting);
    REQUIRE(waiting->size() == 1);
    CHECK(waiting->at(0).answers.at(0).media == "SECOND-PICTURE");

    SUBCASE("a skip leaves no clip") {
        a.skipped = true;
        a.media.clear();
        REQUIRE(s->record(id, a));
        rs = all(*s);
        CHECK(rs[0].answers[0].skipped);
        CHECK(rs[0].answers[0].media.empty());
    }
    SUBCASE("a wipe takes it, from the file and its log") {
        REQUIRE(s->wipe());
        s.reset();
        for (const char* f : {"a.db", "a.db-wal"}) {
            std::error_code ec;
            if (!std::filesystem::exists(tmp / f, ec)) continue;
            CHECK(test::read_file(tmp / f).find("SECOND-PICTURE") == std::string::npos);
        }
    }
    SUBCASE("retention takes it with its response") {
        REQUIRE(s->mark_delivered({id}, 1'700'000'002'000));
        auto purged = s->purge_delivered(1'700'000'003'000);
        REQUIRE(purged);
        CHECK(*purged == 1);
        sqlite3* h = nullptr;
        REQUIRE(sqlite3_open((tmp / "a.db").c_str(), &h) == SQLITE_OK);
        sqlite3_stmt* q = nullptr;
        REQUIRE(sqlite3_prepare_v2(h, "SELECT count(*) FROM clips", -1, &q, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(q) == SQLITE_ROW);
        CHECK(sqlite3_column_int(q, 0) == 0);
        sqlite3_finalize(q);
        sqlite3_close(h);
    }
}
