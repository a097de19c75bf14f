// Delivery end to end on loopback: the kiosk's outbox, the libcurl client,
// a real sayso-collector process, and faults in between. After each: every
// response arrived exactly once, none lost, none duplicated.
#include "batch.hpp"
#include "client.hpp"
#include "collector_process.hpp"
#include "config.hpp"
#include "delivery_support.hpp"
#include "eventually.hpp"
#include "fault_proxy.hpp"
#include "open_store.hpp"
#include "postgres.hpp"
#include "storage/store.hpp"
#include "store.hpp"
#include "support.hpp"

#include <arpa/inet.h>
#include <ctime>
#include <doctest/doctest.h>
#include <httplib.h>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <set>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

using namespace sayso;
using test::TempDir;

namespace {

// A kiosk database holding `n` finished responses; returns their ids.
std::vector<std::string> fill(const std::filesystem::path& db, int n) {
    auto s = test::open_store(db);
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
        flow::ResponseStart st{
            flow::random_id(), "after-my-visit", "1.0.0", "8-11", "visit", "en", 1'700'000'000'000 + i, "", ""};
        REQUIRE(s->begin(st));
        flow::AnswerRecord a;
        a.question_id = "listened";
        a.kind = "faces";
        a.measure = "listened";
        a.options = {"happy"};
        a.answered_at_ms = st.started_at_ms + 1;
        REQUIRE(s->record(st.id, a));
        a.question_id = "anything-else";
        a.position = 1;
        a.kind = "text";
        a.options.clear();
        a.text = "response " + std::to_string(i) + ", with \"quotes\"";
        REQUIRE(s->record(st.id, a));
        REQUIRE(
            s->finish(st.id, i % 7 ? flow::Completion::Complete : flow::Completion::Incomplete, st.started_at_ms + 2));
        ids.push_back(st.id);
    }
    return ids;
}

// A throwaway CA (ca.pem) and a certificate it signed (server.pem, server.key)
// for `names` (a subjectAltName value), made in `dir` with the openssl command line.
void make_certificates(const test::TempDir& dir, const std::string& common_name, const std::string& names) {
    const auto p = [&](const char* f) { return (dir / f).string(); };
    test::write_file(dir / "ext.cnf", "subjectAltName=" + names + "\n");
    auto ssl = [](std::vector<std::string> args) {
        args.insert(args.begin(), "/usr/bin/openssl");
        auto r = test::run(args);
        INFO(r.err);
        REQUIRE(r.code == 0);
    };
    ssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2",
         "-subj", "/CN=Sayso Test CA"});
    ssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("server.key"), "-out", p("server.csr"), "-subj",
         "/CN=" + common_name});
    ssl({"x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial", "-out",
         p("server.pem"), "-days", "2", "-extfile", p("ext.cnf")});
}

sync::Config config(const std::string& endpoint, const std::string& token) {
    return test::quick_delivery(endpoint, token);
}

using test::drain;

// The client's status once it reports `problem`; the test fails if it does not within 5 s.
sync::Status until_problem(const sync::Client& client, sync::Status::Problem problem) {
    sync::Status s;
    test::eventually(
        "the problem \"" + sync::describe(problem) + "\"",
        [&] {
            s = client.status();
            return s.problem == problem;
        },
        std::chrono::seconds(5));
    return s;
}

std::int64_t waiting(const std::filesystem::path& db) {
    auto s = test::open_store(db);
    const auto n = s->waiting();
    REQUIRE(n);
    return *n;
}

// The invariant: the collector holds exactly the kiosk's responses, once each.
void exactly_once(const std::string& store, const std::vector<std::string>& sent) {
    const auto got = test::exported_ids(store);
    const std::set<std::string> unique(got.begin(), got.end());
    CHECK(got.size() == unique.size());                               // none duplicated
    CHECK(unique == std::set<std::string>(sent.begin(), sent.end())); // none lost, nothing else
}

} // namespace

TEST_CASE("every response arrives exactly once over loopback, and the export opens as a spreadsheet") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "collector.db").string();
    const auto ids = fill(tmp / "kiosk.db", 1234);
    const auto token = test::add_token(store, "tablet-1");
    test::CollectorProcess collector(store);
    auto s = drain(tmp / "kiosk.db", config(collector.url(), token));
    CHECK(s.problem == sync::Status::Problem::None);
    CHECK(s.waiting == 0);
    CHECK(s.delivered == 1234);
    CHECK(s.last_delivery_ms.has_value());
    exactly_once(store, ids);

    auto csv = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "csv"});
    REQUIRE(csv.code == 0);
    CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 1 + 2 * 1234); // header, two answers each
    CHECK(csv.out.find("\"response 7, with \"\"quotes\"\"\"") != std::string::npos);

    // Delivering again sends nothing: the outbox is empty.
    auto again = drain(tmp / "kiosk.db", config(collector.url(), token), 2);
    CHECK(again.delivered == 0);
    exactly_once(store, ids);
    // Retention at its default: nothing delivered is left on the tablet.
    {
        auto kiosk = test::open_store(tmp / "kiosk.db", storage::Store::Mode::ReadOnly);
        int left = 0;
        REQUIRE(kiosk->for_each_response([&](const storage::StoredResponse&) { return ++left, true; }));
        CHECK(left == 0);
    }
}

TEST_CASE("faults between the tablet and the collector lose and duplicate nothing") {
    using F = test::FaultProxy::Fault;
    struct Case {
        const char* name;
        F fault;
        int times;
    };
    for (auto c : {Case{"connection dropped after the server committed", F::DropAfterForward, 3},
                   Case{"500 from the server", F::Status500, 3}, Case{"503 with Retry-After", F::Status503, 2},
                   Case{"a stall past the timeout", F::Stall, 1}, Case{"a truncated reply", F::TruncateReply, 3}}) {
        SUBCASE(c.name) {
            TempDir tmp;
            const std::string store = "sqlite:" + (tmp / "collector.db").string();
            const auto ids = fill(tmp / "kiosk.db", 700);
            const auto token = test::add_token(store, "tablet-1");
            test::CollectorProcess collector(store);
            test::FaultProxy proxy(collector.port(), c.fault, c.times);
            auto s = drain(tmp / "kiosk.db", config("http://127.0.0.1:" + std::to_string(proxy.port()), token));
            CHECK(proxy.faults_done() == c.times);
            CHECK(s.waiting == 0);
            exactly_once(store, ids);
        }
    }
}

TEST_CASE("the collector killed with SIGKILL mid-backlog and restarted: exactly once") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "collector.db").string();
    const auto ids = fill(tmp / "kiosk.db", 3000);
    const auto token = test::add_token(store, "tablet-1");
    auto collector = std::make_unique<test::CollectorProcess>(store);
    test::FaultProxy front(collector->port(), test::FaultProxy::Fault::None, 0); // a stable address
    auto c = config("http://127.0.0.1:" + std::to_string(front.port()), token);
    c.batch_size = 50;
    {
        sync::Client client(tmp / "kiosk.db", c);
        test::eventually("500 responses delivered", [&] { return client.status().delivered >= 500; });
        collector->stop(SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        CHECK(client.status().problem != sync::Status::Problem::None);
        collector = std::make_unique<test::CollectorProcess>(store);
        front.set_upstream(collector->port());
    }
    auto s = drain(tmp / "kiosk.db", c);
    CHECK(s.waiting == 0);
    exactly_once(store, ids);
}

TEST_CASE("the kiosk killed with SIGKILL mid-upload: what it had not marked is sent again, once") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "collector.db").string();
    const auto ids = fill(tmp / "kiosk.db", 3000);
    const auto token = test::add_token(store, "tablet-1");
    test::CollectorProcess collector(store);
    auto c = config(collector.url(), token);
    c.batch_size = 40;
    pid_t kiosk = fork();
    REQUIRE(kiosk >= 0);
    if (kiosk == 0) {
        sync::Client client(tmp / "kiosk.db", c);
        for (;;)
            pause();
    }
    // Wait until part of the backlog has gone, then kill the sending kiosk.
    test::eventually("half the backlog sent", [&] { return waiting(tmp / "kiosk.db") <= 1500; });
    kill(kiosk, SIGKILL);
    int status = 0;
    waitpid(kiosk, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK(waiting(tmp / "kiosk.db") > 0);
    auto s = drain(tmp / "kiosk.db", c);
    CHECK(s.waiting == 0);
    exactly_once(store, ids);
}

TEST_CASE("a revoked or wrong token: the tablet is told, keeps everything, and sends nothing") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "collector.db").string();
    fill(tmp / "kiosk.db", 20);
    const auto token = test::add_token(store, "tablet-1");
    REQUIRE(test::run({SAYSO_COLLECTOR, "token", "revoke", "tablet-1", "--store", store}).code == 0);
    test::CollectorProcess collector(store);
    {
        sync::Client client(tmp / "kiosk.db", config(collector.url(), token));
        const sync::Status s = until_problem(client, sync::Status::Problem::Revoked);
        CHECK(s.problem == sync::Status::Problem::Revoked);
        CHECK(sync::describe(s.problem).find("its token was revoked") != std::string::npos);
        CHECK(sync::describe(s.problem).find("Answers stay here") != std::string::npos);
    }
    {
        sync::Client client(tmp / "kiosk.db", config(collector.url(), "not-a-token"));
        const sync::Status s = until_problem(client, sync::Status::Problem::AuthRefused);
        CHECK(s.problem == sync::Status::Problem::AuthRefused);
        CHECK(sync::describe(s.problem).find("refused this tablet's token") != std::string::npos);
    }
    CHECK(waiting(tmp / "kiosk.db") == 20);
    CHECK(test::exported_ids(store).empty());
}

namespace {
// What the tablet still holds: each response's id and when it was marked delivered (-1: not yet).
std::map<std::string, std::int64_t> held(const std::filesystem::path& db) {
    std::map<std::string, std::int64_t> out;
    auto s = test::open_store(db, storage::Store::Mode::ReadOnly);
    REQUIRE(s->for_each_response([&](const storage::StoredResponse& r) {
        out[r.start.id] = r.delivered_at_ms.value_or(-1);
        return true;
    }));
    return out;
}
} // namespace

TEST_CASE("delivered responses are marked at the client's clock, and kept on the tablet as long as retention says") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "collector.db").string();
    const auto ids = fill(tmp / "kiosk.db", 5);
    const auto token = test::add_token(store, "tablet-1");
    test::CollectorProcess collector(store);
    auto c = config(collector.url(), token);
    c.keep_delivered_days = 1;
    const std::int64_t t0 = 1'800'000'000'000;
    flow::ManualClock clock(t0);
    sync::Client client(tmp / "kiosk.db", c, {}, &clock);
    test::eventually("every response delivered", [&] { return client.status().waiting == 0; });
    exactly_once(store, ids);
    // Marked at the client's time, and kept for the day retention allows.
    auto kept = held(tmp / "kiosk.db");
    REQUIRE(kept.size() == 5);
    for (const auto& [id, at] : kept)
        CHECK(at == t0);
    CHECK(client.status().last_delivery_ms == t0);
    clock.advance(flow::Millis(86'400'000 - 1));
    client.wake();
    const auto rounds = client.status().rounds;
    test::eventually("two more rounds", [&] { return client.status().rounds >= rounds + 2; });
    CHECK(held(tmp / "kiosk.db").size() == 5); // a millisecond short of a day: still here
    clock.advance(flow::Millis(1));
    client.wake();
    test::eventually("the delivered responses deleted from the tablet", [&] { return held(tmp / "kiosk.db").empty(); });
    CHECK(client.status().problem == sync::Status::Problem::None);
}

TEST_CASE("a config file with a mistake names the setting") {
    auto bad = [&](const nlohmann::json& j, const std::string& words) {
        const auto refused = sync::parse_config(j.dump(), "sync.json");
        REQUIRE_FALSE(refused);
        INFO(refused.words());
        CHECK(refused.words().find(words) != std::string::npos);
    };
    bad({{"token", "t"}}, "sync.json: \"endpoint\"");
    bad({{"endpoint", "http://collector.example.org"}, {"token", "t"}},
        "\"endpoint\" plain http is only allowed to this machine");
    bad({{"endpoint", "ftp://x"}, {"token", "t"}}, "\"endpoint\" must start with https://");
    bad({{"endpoint", "https://x.org"}, {"token", ""}}, "\"token\"");
    // No token at all: a tablet waiting to be enrolled.
    auto waiting = sync::parse_config(R"({"endpoint": "https://x.org"})", "sync.json");
    REQUIRE(waiting);
    CHECK(waiting->token.empty());
    bad({{"endpoint", "https://x.org"}, {"token", "two words"}}, "\"token\" must be one word");
    bad({{"endpoint", "https://x.org"}, {"token", "t"}, {"batch_size", 0}}, "\"batch_size\"");
    bad({{"endpoint", "https://x.org"}, {"token", "t"}, {"timeout_seconds", "soon"}}, "\"timeout_seconds\"");
    bad({{"endpoint", "https://x.org"}, {"token", "t"}, {"ca_file", "/nowhere.pem"}}, "\"ca_file\" can't be read");
    bad({{"endpoint", "https://x.org"}, {"token", "t"}, {"endpont", "x"}}, "\"endpont\" is not a setting");
    bad({{"endpoint", "https://x.org"}, {"token", "t"}, {"keep_delivered_days", -1}}, "\"keep_delivered_days\"");
    const auto not_json = sync::parse_config("{", "sync.json");
    REQUIRE_FALSE(not_json);
    CHECK(not_json.problem().kind == sync::SettingsProblem::Kind::NotAnObject);
    CHECK(sync::parse_config(R"({"endpont": "x"})", "sync.json").problem().kind ==
          sync::SettingsProblem::Kind::UnknownSetting);
    TempDir tmp;
    const auto missing = sync::load_config(tmp / "sync.json");
    REQUIRE_FALSE(missing);
    CHECK(missing.problem().kind == sync::SettingsProblem::Kind::NoFile);
    CHECK(missing.words().find("no delivery settings file there") != std::string::npos);
    auto ok = sync::parse_config(R"({"endpoint": "http://127.0.0.1:9/", "token": "abc"})", "sync.json");
    REQUIRE(ok);
    CHECK(ok->endpoint == "http://127.0.0.1:9");
    CHECK(ok->batch_size == 500);
    CHECK(ok->keep_delivered_days == 0); // deleted from the tablet as soon as the endpoint has it
}

TEST_CASE("nothing listening: the tablet says it can't reach the server and keeps the answers") {
    TempDir tmp;
    fill(tmp / "kiosk.db", 5);
    // A port that was free a moment ago.
    int port;
    {
        test::FaultProxy probe(1, test::FaultProxy::Fault::None, 0);
        port = probe.port();
    }
    sync::Client client(tmp / "kiosk.db", config("http://127.0.0.1:" + std::to_string(port), "t"));
    const sync::Status s = until_problem(client, sync::Status::Problem::Unreachable);
    CHECK(s.problem == sync::Status::Problem::Unreachable);
    CHECK(s.waiting == 5);
}

TEST_CASE("TLS: a certificate from an unknown CA is refused; with the CA configured, answers arrive") {
    TempDir tmp;
    // A throwaway CA and a server certificate for 127.0.0.1, made with the openssl command line.
    const auto p = [&](const char* f) { return (tmp / f).string(); };
    make_certificates(tmp, "127.0.0.1", "IP:127.0.0.1");

    const std::string store = "sqlite:" + p("collector.db");
    const auto ids = fill(tmp / "kiosk.db", 30);
    const auto token = test::add_token(store, "tablet-1");
    test::CollectorProcess collector(store, {"--cert", p("server.pem"), "--key", p("server.key")});
    REQUIRE(collector.url().rfind("https://", 0) == 0);

    {
        sync::Client client(tmp / "kiosk.db", config(collector.url(), token));
        const sync::Status s = until_problem(client, sync::Status::Problem::Tls);
        CHECK(s.problem == sync::Status::Problem::Tls);
        CHECK(s.delivered == 0);
    }
    CHECK(test::exported_ids(store).empty());

    auto c = config(collector.url(), token);
    c.ca_file = p("ca.pem");
    auto s = drain(tmp / "kiosk.db", c);
    CHECK(s.waiting == 0);
    exactly_once(store, ids);
}

TEST_CASE("closing the kiosk mid-request does not wait for the request's timeout") {
    TempDir tmp;
    fill(tmp / "kiosk.db", 5);
    test::FaultProxy stall(1, test::FaultProxy::Fault::Stall, 100);
    auto c = config("http://127.0.0.1:" + std::to_string(stall.port()), "t");
    c.timeout_seconds = 60;
    c.low_speed_seconds = 60;
    auto client = std::make_unique<sync::Client>(tmp / "kiosk.db", c);
    test::eventually("a request at the stalling server", [&] { return stall.requests() > 0; });
    const auto t0 = std::chrono::steady_clock::now();
    client.reset();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(waiting(tmp / "kiosk.db") == 5);
}

TEST_CASE("Retry-After is taken from libcurl, as seconds or as an HTTP date, at most a day; without one, none") {
    std::mutex m;
    std::string value; // what the server sends as Retry-After; empty: no header
    httplib::Server server;
    server.Post("/v1/responses", [&](const httplib::Request&, httplib::Response& res) {
        std::lock_guard lock(m);
        res.status = 503;
        if (!value.empty()) res.set_header("Retry-After", value);
        res.set_content("busy", "text/plain");
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { server.listen_after_bind(); });
    sync::Http http(config("http://127.0.0.1:" + std::to_string(port), "t"));
    auto post = [&](const std::string& v) {
        {
            std::lock_guard lock(m);
            value = v;
        }
        return http.post("/v1/responses", "{}");
    };
    const auto seconds = post("120");
    CHECK(seconds.kind == sync::PostResult::Kind::RetryLater);
    CHECK(seconds.retry_after_s == 120);
    const std::time_t later = std::time(nullptr) + 90;
    std::tm tm{};
    gmtime_r(&later, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    const auto dated = post(date).retry_after_s;
    REQUIRE(dated);
    CHECK(*dated >= 85);
    CHECK(*dated <= 90);
    CHECK(post("9999999").retry_after_s == 86'400);
    CHECK_FALSE(post("").retry_after_s);
    CHECK_FALSE(post("soon").retry_after_s);
    server.stop();
    serving.join();
}

TEST_CASE("a server that never answers for one response: it is resent with backoff, never marked delivered") {
    TempDir tmp;
    const auto ids = fill(tmp / "kiosk.db", 3);
    std::atomic<int> requests{0};
    httplib::Server server;
    server.Post("/v1/responses", [&](const httplib::Request& req, httplib::Response& res) {
        ++requests;
        auto j = nlohmann::json::parse(req.body);
        // Acknowledge everything except the second response, of which nothing is said.
        nlohmann::json accepted = nlohmann::json::array();
        for (const auto& r : j["responses"])
            if (r["id"] != ids[1]) accepted.push_back(r["id"]);
        res.set_content(
            nlohmann::json{{"protocol", 1}, {"accepted", accepted}, {"rejected", nlohmann::json::array()}}.dump(),
            "application/json");
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { server.listen_after_bind(); });
    auto c = config("http://127.0.0.1:" + std::to_string(port), "t");
    c.retry_start_seconds = 0.2;
    c.retry_cap_seconds = 0.2;
    {
        sync::Client client(tmp / "kiosk.db", c);
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        const auto s = client.status();
        CHECK(s.delivered == 2);
        CHECK(s.waiting == 1);
        CHECK(s.problem == sync::Status::Problem::ServerError);
    }
    // Resent a backoff apart (0.1-0.2 s), not hundreds of times in a tight loop.
    CHECK(requests.load() >= 3);
    CHECK(requests.load() <= 16);
    server.stop();
    serving.join();
    CHECK(waiting(tmp / "kiosk.db") == 1);
}

namespace {

// A port nothing listens on now (the kernel's pick; free until someone takes it).
int free_port() {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    close(s);
    return ntohs(a.sin_port);
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "the shipped nginx site no longer has: " << from);
    return s.replace(at, from.size(), to);
}

// Debian's nginx, in the foreground, on the shipped example site
// (tools/packaging/debian/nginx-sayso.conf) with this test's ports,
// certificate and collectors put in.
class Nginx {
  public:
    Nginx(const std::filesystem::path& dir, const std::vector<int>& collectors, int reports, int https, int http,
          const std::string& cert, const std::string& key)
        : dir_(dir) {
        std::filesystem::create_directories(dir);
        std::string site = test::read_file(test::source_dir / "tools" / "packaging" / "debian" / "nginx-sayso.conf");
        std::string upstream;
        for (int port : collectors)
            upstream += "server 127.0.0.1:" + std::to_string(port) + ";\n    ";
        site = replaced(site, "server 127.0.0.1:8470;\n    ", upstream);
        site = replaced(site, "server 127.0.0.1:8471;", "server 127.0.0.1:" + std::to_string(reports) + ";");
        site = replaced(site, "listen 80;", "listen 127.0.0.1:" + std::to_string(http) + ";");
        site = replaced(site, "listen [::]:80;", "");
        for (int i = 0; i < 2; ++i) {
            site = replaced(site, "listen 443 ssl http2;", "listen 127.0.0.1:" + std::to_string(https) + " ssl http2;");
            site = replaced(site, "listen [::]:443 ssl http2;", "");
        }
        site = replaced(site, "server_name collector.example.org;", "server_name localhost;");
        for (const char* name : {"collector.example.org", "reports.example.org"}) {
            site = replaced(site, std::string("/etc/ssl/certs/") + name + ".pem", cert);
            site = replaced(site, std::string("/etc/ssl/private/") + name + ".key", key);
        }
        test::write_file(dir / "site.conf", site);
        const auto d = dir.string();
        test::write_file(dir / "nginx.conf",
                         std::string(geteuid() == 0 ? "user root;\n" : "") + "daemon off;\nworker_processes 1;\npid " +
                             d + "/nginx.pid;\nerror_log " + d +
                             "/error.log warn;\nevents { worker_connections 512; }\n"
                             "http {\n  access_log off;\n  client_body_temp_path " +
                             d + "/body;\n  proxy_temp_path " + d + "/proxy;\n  fastcgi_temp_path " + d +
                             "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n  scgi_temp_path " + d +
                             "/scgi;\n  include " + d + "/site.conf;\n}\n");
        std::vector<std::string> args = {"/usr/sbin/nginx", "-p", d, "-c", d + "/nginx.conf", "-e",
                                         d + "/error.log",  "-t"};
        auto t = test::run(args); // the configuration checked first
        INFO(t.err);
        REQUIRE(t.code == 0);
        args.pop_back();
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        REQUIRE(posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
        test::eventually("nginx listening", [&] {
            httplib::Client probe("127.0.0.1", http);
            return static_cast<bool>(probe.Get("/"));
        });
    }
    ~Nginx() {
        kill(pid_, SIGQUIT);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    std::string log() const { return test::read_file(dir_ / "error.log"); }

  private:
    std::filesystem::path dir_;
    pid_t pid_ = -1;
};

} // namespace

TEST_CASE("behind Debian's nginx on the shipped site, two collectors on one PostgreSQL take four tablets' backlogs "
          "exactly once, one of them killed midway") {
    if (!test::postgres().running()) {
        MESSAGE("PostgreSQL could not start here, so this check is skipped: " << test::postgres().why_not());
        return;
    }
    REQUIRE_MESSAGE(std::filesystem::exists("/usr/sbin/nginx"), "nginx is a test package (tools/lib/deps.sh)");
    TempDir tmp;
    const auto p = [&](const char* f) { return (tmp / f).string(); };
    make_certificates(tmp, "localhost", "DNS:localhost,DNS:reports.example.org");

    const std::string store = test::postgres().new_database();
    constexpr int kTablets = 4, kEach = 1000;
    std::vector<std::string> all, tokens;
    for (int t = 0; t < kTablets; ++t) {
        const auto ids = fill(tmp / ("kiosk-" + std::to_string(t) + ".db"), kEach);
        all.insert(all.end(), ids.begin(), ids.end());
        tokens.push_back(test::add_token(store, "tablet-" + std::to_string(t)));
    }
    // Behind nginx every tablet comes from 127.0.0.1: room for them, as the site's comment says.
    const std::vector<std::string> behind = {"--per-address", "512", "--trusted-proxy", "127.0.0.1"};
    auto a = std::make_unique<test::CollectorProcess>(store, behind);
    test::CollectorProcess b(store, behind);
    const int https = free_port(), http = free_port();
    Nginx front(tmp / "nginx", {a->port(), b.port()}, b.port(), https, http, p("server.pem"), p("server.key"));

    auto counted = collector::open_store(store);
    REQUIRE(counted);
    // The reports index what arrives while the two collectors store it side by side.
    test::CollectorProcess reports(store, {}, "reports");
    std::int64_t at_kill = 0;
    {
        std::vector<std::unique_ptr<sync::Client>> tablets;
        for (int t = 0; t < kTablets; ++t) {
            auto c = config("https://localhost:" + std::to_string(https), tokens[t]);
            c.ca_file = p("ca.pem");
            c.batch_size = 50;
            tablets.push_back(std::make_unique<sync::Client>(tmp / ("kiosk-" + std::to_string(t) + ".db"), c));
        }
        test::eventually("a quarter delivered",
                         [&] { return (*counted)->count().value_or(0) >= kTablets * kEach / 4; });
        a->stop(SIGKILL);
        at_kill = (*counted)->count().value_or(0);
        test::eventually(
            "every tablet's outbox empty",
            [&] {
                return std::all_of(tablets.begin(), tablets.end(),
                                   [](const auto& t) { return t->status().waiting == 0; });
            },
            std::chrono::seconds(120));
    }
    INFO(front.log());
    CHECK(at_kill < kTablets * kEach); // killed mid-backlog, or this proves nothing
    exactly_once(store, all);
    // The report index counted each response once too, though two collectors stored them side by side.
    reports.wait_caught_up();
    auto indexed = (*counted)->query("SELECT COUNT(*) FROM report_responses", {});
    REQUIRE_MESSAGE(indexed, indexed.words());
    CHECK((*indexed)[0][0] == std::to_string(kTablets * kEach));
}
