// The collector and the reports website under hostile clients, over raw
// loopback sockets: huge bodies with no token, slow and idle connections,
// bad framing, too many connections from one address. Each must be answered
// at once, in words, with memory flat, while ordinary requests are served.
#include "collector_process.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <chrono>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>

using test::TempDir;

namespace {

using Clock = std::chrono::steady_clock;

// A TCP connection from `from` (any 127.x.y.z) to 127.0.0.1:port; -1 if refused.
int connect_to(int port, const std::string& from = "127.0.0.1") {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in src{};
    src.sin_family = AF_INET;
    inet_pton(AF_INET, from.c_str(), &src.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
        close(fd);
        return -1;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// Sends what it can; false once the peer has closed.
bool send_all(int fd, const std::string& data) {
    std::size_t at = 0;
    while (at < data.size()) {
        const ssize_t n = send(fd, data.data() + at, data.size() - at, MSG_NOSIGNAL);
        if (n <= 0) return false;
        at += static_cast<std::size_t>(n);
    }
    return true;
}

// What arrives within `wait`, until the peer closes or a whole reply is in.
std::string read_reply(int fd, std::chrono::milliseconds wait) {
    std::string got;
    const auto until = Clock::now() + wait;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
        char buf[8192];
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
        const auto end = got.find("\r\n\r\n");
        if (end != std::string::npos) {
            const auto cl = got.find("Content-Length: ");
            if (cl != std::string::npos && cl < end &&
                got.size() >= end + 4 + std::stoul(got.substr(cl + 16, got.find("\r\n", cl) - cl - 16)))
                break;
        }
    }
    return got;
}

int status_of(const std::string& reply) {
    if (reply.rfind("HTTP/1.1 ", 0) != 0 || reply.size() < 12) return -1;
    return std::stoi(reply.substr(9, 3));
}

// True when the peer has closed the connection (a read gives 0 or an error) within `wait`.
bool closed_within(int fd, std::chrono::milliseconds wait) {
    const auto until = Clock::now() + wait;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) return false;
        char buf[4096];
        if (recv(fd, buf, sizeof buf, 0) <= 0) return true;
    }
}

// An ordinary request on a fresh connection: its status, answered within 5 s or -1.
int health(int port, const std::string& path = "/v1/health") {
    const int fd = connect_to(port);
    if (fd < 0) return -1;
    send_all(fd, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    const int status = status_of(read_reply(fd, std::chrono::milliseconds(5000)));
    close(fd);
    return status;
}

// The most memory the process has held so far, in KiB.
long peak_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

// Sends up to `total` bytes of a chunked body after `head`, stopping once a
// reply arrives or the peer closes; the reply.
std::string flood(int fd, const std::string& head, std::size_t total) {
    send_all(fd, head);
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
    std::string reply;
    for (std::size_t sent = 0; sent < total; sent += 0x10000) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 0) > 0) break; // the server has answered
        if (!send_all(fd, chunk)) break;
    }
    return read_reply(fd, std::chrono::milliseconds(5000));
}

} // namespace

// A huge body, and what the server must answer before reading much of it.
struct Flood {
    const char* server; // serve or reports
    const char* what;
    bool token;   // with a good device token
    bool chunked; // else sized by Content-Length
    std::size_t bytes;
    int status;
    const char* words; // in the reply
};

const Flood kFloods[] = {
    {"serve", "a chunked body of 512 MiB with no token: 401 before any of it is read", false, true, 512u << 20, 401,
     "no device token"},
    {"serve", "a claimed 1 GiB with no token: 401 at once", false, false, 1u << 30, 401, "no device token"},
    {"serve", "a chunked body of 9 MiB over the 1 MiB limit with a good token: 413 as it arrives, not 400", true, true,
     9u << 20, 413, "larger than"},
    {"serve", "a sized body over the limit with a good token: 413 before it is read", true, false, 512u << 20, 413,
     "larger than"},
    {"reports", "a sized sign-in form of 256 MiB: 413 before it is read", false, false, 256u << 20, 413, "<html"},
    {"reports", "a chunked sign-in form of 256 MiB: 413 as it arrives, said as a page", false, true, 256u << 20, 413,
     "<html"},
};

TEST_CASE("huge bodies are refused from the header or as they arrive, and memory stays flat") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto token = test::add_token(store, "tab");
    for (const std::string server : {"serve", "reports"}) {
        CAPTURE(server);
        const bool site = server == "reports";
        test::CollectorProcess process(
            store, site ? std::vector<std::string>{} : std::vector<std::string>{"--max-body", "1048576"}, server);
        const std::string path = site ? "/login" : "/v1/health";
        REQUIRE(health(process.port(), path) == 200);
        const long before = peak_kib(process.pid());
        REQUIRE(before > 0);
        for (const auto& f : kFloods) {
            if (f.server != server) continue;
            CAPTURE(f.what);
            std::string head = std::string("POST ") + (site ? "/login" : "/v1/responses") + " HTTP/1.1\r\nHost: x\r\n" +
                               "Content-Type: " + (site ? "application/x-www-form-urlencoded" : "application/json") +
                               "\r\n";
            if (f.token) head += "Authorization: Bearer " + token + "\r\n";
            const int fd = connect_to(process.port());
            std::string reply;
            if (f.chunked) {
                reply = flood(fd, head + "Transfer-Encoding: chunked\r\n\r\n", f.bytes);
            } else {
                send_all(fd,
                         head + "Content-Length: " + std::to_string(f.bytes) + "\r\n\r\n" + std::string(100000, ' '));
                reply = read_reply(fd, std::chrono::milliseconds(5000));
            }
            close(fd);
            CHECK(status_of(reply) == f.status);
            CHECK(reply.find(f.words) != std::string::npos);
        }
        // 16 MiB: what a few connections' buffers may take; a body read whole would be hundreds.
        CHECK(peak_kib(process.pid()) - before < 16 * 1024);
        CHECK(health(process.port(), path) == 200);
    }
}

TEST_CASE("bad framing is answered 400 at once, in words") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto token = test::add_token(store, "tab");
    test::CollectorProcess collector(store);
    const std::string head = "POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             "Authorization: Bearer " +
                             token + "\r\n";
    for (const std::string& framing :
         {std::string("Content-Length: -5\r\n"), std::string("Content-Length: ten\r\n"),
          std::string("Content-Length: 99999999999999999999999\r\n"), std::string("Transfer-Encoding: gzip\r\n"),
          std::string("Content-Length: 5\r\nContent-Length: 6\r\n"),
          std::string("Transfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
        CAPTURE(framing);
        const int fd = connect_to(collector.port());
        send_all(fd, head + framing + (framing.find("zz") == std::string::npos ? "\r\n" : ""));
        const auto t0 = Clock::now();
        const auto reply = read_reply(fd, std::chrono::milliseconds(5000));
        close(fd);
        CHECK(status_of(reply) == 400);
        CHECK(reply.find("\"error\"") != std::string::npos);
        CHECK(Clock::now() - t0 < std::chrono::seconds(4)); // not after a read timeout
    }
    // A header larger than the server takes: 431.
    const int fd = connect_to(collector.port());
    send_all(fd, "GET /v1/health HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    CHECK(status_of(read_reply(fd, std::chrono::milliseconds(5000))) == 431);
    close(fd);
}

TEST_CASE("slow and idle clients hold no one up, and are cut off at their deadline") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    // Deadlines shortened so the test sees them pass; 300 connections a address at most.
    for (const std::string command : {"serve", "reports"}) {
        CAPTURE(command);
        test::CollectorProcess server(store, {"--header-seconds", "2", "--per-address", "300"}, command);
        const std::string path = command == "serve" ? "/v1/health" : "/login";
        std::vector<int> slow, idle;
        for (int i = 0; i < 200; ++i) {
            const int fd = connect_to(server.port());
            REQUIRE(fd >= 0);
            send_all(fd, "POST /v1/responses HTTP/1.1\r\n");
            slow.push_back(fd);
        }
        for (int i = 0; i < 16; ++i)
            idle.push_back(connect_to(server.port()));
        // While they dribble a byte each, ordinary requests are answered.
        for (int round = 0; round < 3; ++round) {
            for (int fd : slow)
                send_all(fd, "X");
            CHECK(health(server.port(), path) == 200);
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
        }
        // The deadline is for the whole header, not reset by each byte: every one is closed.
        int closed = 0;
        for (int fd : slow)
            closed += closed_within(fd, std::chrono::milliseconds(4000));
        for (int fd : idle)
            closed += closed_within(fd, std::chrono::milliseconds(4000));
        CHECK(closed == 216);
        for (int fd : slow)
            close(fd);
        for (int fd : idle)
            close(fd);

        // A kept-alive connection left idle after its reply is closed too.
        const int kept = connect_to(server.port());
        send_all(kept, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK(status_of(read_reply(kept, std::chrono::milliseconds(5000))) == 200);
        CHECK(closed_within(kept, std::chrono::milliseconds(4000)));
        close(kept);
    }
}

TEST_CASE("too many connections from one address get 503 in words; other addresses are still served") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    test::CollectorProcess collector(store, {"--per-address", "10"});
    std::vector<int> held;
    for (int i = 0; i < 10; ++i)
        held.push_back(connect_to(collector.port(), "127.0.0.2"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // all ten accepted
    const int over = connect_to(collector.port(), "127.0.0.2");
    const auto reply = read_reply(over, std::chrono::milliseconds(5000));
    CHECK(status_of(reply) == 503);
    CHECK(reply.find("too many connections") != std::string::npos);
    close(over);
    CHECK(health(collector.port()) == 200); // from 127.0.0.1
    for (int fd : held)
        close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const int again = connect_to(collector.port(), "127.0.0.2");
    send_all(again, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(status_of(read_reply(again, std::chrono::milliseconds(5000))) == 200);
    close(again);
}

TEST_CASE("chunk extensions, trailers and a target that grows when encoded are refused, and the servers go on") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    test::CollectorProcess collector(store);
    const long before = peak_kib(collector.pid());
    for (const std::string& tail : {"0;" + std::string(4u << 20, 'a'), "0\r\nX: " + std::string(4u << 20, 'b')}) {
        const int fd = connect_to(collector.port());
        send_all(fd, "GET /v1/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        std::string reply;
        for (std::size_t at = 0; at < tail.size(); at += 65536) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 0) > 0 || !send_all(fd, tail.substr(at, 65536))) break;
        }
        reply = read_reply(fd, std::chrono::milliseconds(5000));
        close(fd);
        CHECK(status_of(reply) == 400);
    }
    CHECK(peak_kib(collector.pid()) - before < 16 * 1024);
    CHECK(health(collector.port()) == 200);

    // A signed-out visit whose target would make a huge Location: sent to sign in, and the site stays up.
    test::CollectorProcess site(store, {}, "reports");
    const int fd = connect_to(site.port());
    send_all(fd, "GET /service?" + std::string(16000, '%') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto reply = read_reply(fd, std::chrono::milliseconds(5000));
    close(fd);
    CHECK(status_of(reply) == 303);
    CHECK(reply.find("Location: /login?next=%2Fservice") != std::string::npos);
    CHECK(health(site.port(), "/login") == 200);
}

TEST_CASE("HEAD gets a GET's header without its body; a method a path does not take gets 405 naming those it does") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    test::CollectorProcess collector(store);
    auto ask = [&](const std::string& request) {
        const int fd = connect_to(collector.port());
        send_all(fd, request);
        const auto reply = read_reply(fd, std::chrono::milliseconds(3000));
        close(fd);
        return reply;
    };
    const auto get = ask("GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const auto head = ask("HEAD /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    REQUIRE(status_of(get) == 200);
    CHECK(status_of(head) == 200);
    const auto length = [](const std::string& r) {
        const auto at = r.find("Content-Length: ");
        return at == std::string::npos ? std::string() : r.substr(at + 16, r.find("\r\n", at) - at - 16);
    };
    CHECK(length(head) == length(get));
    CHECK_FALSE(length(get).empty());
    CHECK(head.substr(head.find("\r\n\r\n") + 4).empty());
    const auto wrong = ask("DELETE /v1/responses HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(status_of(wrong) == 405);
    CHECK(wrong.find("Allow: POST\r\n") != std::string::npos);
    const auto nowhere = ask("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(status_of(nowhere) == 404);
    // After a HEAD on a kept-alive connection, the next reply has its body again.
    const int fd = connect_to(collector.port());
    send_all(fd, "HEAD /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(status_of(read_reply(fd, std::chrono::milliseconds(3000))) == 200);
    send_all(fd, "GET /v1/health HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    const auto big = read_reply(fd, std::chrono::milliseconds(3000));
    close(fd);
    CHECK(status_of(big) == 431);
    CHECK(big.substr(big.find("\r\n\r\n") + 4).size() == std::stoul(length(big)));
    CHECK(big.find("header") != std::string::npos);

    // The reports' pages are audited as viewed: they take GET alone, and say so.
    test::CollectorProcess site(store, {}, "reports");
    const int page = connect_to(site.port());
    send_all(page, "HEAD /service HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const auto refused = read_reply(page, std::chrono::milliseconds(3000));
    close(page);
    CHECK(status_of(refused) == 405);
    CHECK(refused.find("Allow: GET\r\n") != std::string::npos);
}

TEST_CASE("an HTTP/1.0 client asking to keep the connection is answered in 1.0 with keep-alive, and can ask again") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    test::CollectorProcess collector(store);
    const int fd = connect_to(collector.port());
    for (int i = 0; i < 2; ++i) {
        send_all(fd, "GET /v1/health HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
        const auto reply = read_reply(fd, std::chrono::milliseconds(3000));
        INFO(reply);
        CHECK(reply.rfind("HTTP/1.0 200", 0) == 0);
        CHECK(reply.find("Connection: keep-alive") != std::string::npos);
    }
    // Without asking, 1.0 closes after the reply.
    send_all(fd, "GET /v1/health HTTP/1.0\r\nHost: x\r\n\r\n");
    CHECK(read_reply(fd, std::chrono::milliseconds(3000)).rfind("HTTP/1.0 200", 0) == 0);
    CHECK(closed_within(fd, std::chrono::milliseconds(3000)));
    close(fd);
}

TEST_CASE("the 503 for too many connections from one address says Retry-After once") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    for (const std::string command : {"serve", "reports"}) {
        INFO(command);
        test::CollectorProcess server(store, {"--per-address", "1"}, command);
        const int held = connect_to(server.port(), "127.0.0.3");
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const int over = connect_to(server.port(), "127.0.0.3");
        const auto reply = read_reply(over, std::chrono::milliseconds(3000));
        close(over);
        close(held);
        CHECK(status_of(reply) == 503);
        const auto first = reply.find("Retry-After:");
        REQUIRE(first != std::string::npos);
        CHECK(reply.find("Retry-After:", first + 1) == std::string::npos);
    }
}
