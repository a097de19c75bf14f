// sayso-collector as a real child process on a loopback port.
#pragma once

#include "support.hpp"

#include <httplib.h>

#include <chrono>
#include <csignal>
#include <poll.h>
#include <thread>

namespace test {

class CollectorProcess {
  public:
    // `serve` by default; `reports` runs the reports website the same way.
    explicit CollectorProcess(std::string store, std::vector<std::string> extra = {}, std::string command = "serve")
        : store_(std::move(store)) {
        std::vector<std::string> args = {SAYSO_COLLECTOR, command, "--listen", "127.0.0.1:0", "--store", store_};
        args.insert(args.end(), extra.begin(), extra.end());
        start(std::move(args), command);
    }
    // A command line of its own (args[0] the program, args[1] serve or
    // reports), which must listen on a free port: --listen 127.0.0.1:0.
    CollectorProcess(std::vector<std::string> args, std::string store) : store_(std::move(store)) {
        const std::string command = args.size() > 1 ? args[1] : "";
        start(std::move(args), command);
    }

  private:
    void start(std::vector<std::string> args, const std::string& command) {
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) throw std::runtime_error("spawn");
        posix_spawn_file_actions_destroy(&fa);
        close(out[1]);
        // First line: "listening on http://127.0.0.1:PORT"
        std::string line;
        char ch;
        pollfd p{out[0], POLLIN, 0};
        while (poll(&p, 1, 20'000) > 0 && read(out[0], &ch, 1) == 1 && ch != '\n')
            line += ch;
        close(out[0]);
        const auto colon = line.rfind(':');
        if (line.rfind("listening on ", 0) != 0 || colon == std::string::npos)
            throw std::runtime_error("collector did not start: " + line);
        port_ = std::stoi(line.substr(colon + 1));
        scheme_ = line.substr(13, line.find("://") - 13);
        // The reports index what arrived in the background: a test sees every arrival counted.
        if (command == "reports" && scheme_ == "http") {
            try {
                wait_caught_up();
            } catch (...) {
                stop(SIGKILL);
                throw;
            }
        }
    }

  public:
    // Until the reports site's /health says its index has caught up (60 s at most).
    void wait_caught_up() const {
        httplib::Client http("127.0.0.1", port_);
        http.set_connection_timeout(5);
        http.set_read_timeout(5); // a server that stops answering fails the wait, never hangs it
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < until) {
            const auto res = http.Get("/health");
            if (res && res->body.find("\"caught_up\":true") != std::string::npos) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        throw std::runtime_error("the reports' index did not catch up within 60 s");
    }
    ~CollectorProcess() { stop(SIGTERM); }

    void stop(int sig) {
        if (pid_ <= 0) return;
        kill(pid_, sig);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    std::string url() const { return scheme_ + "://127.0.0.1:" + std::to_string(port_); }

  private:
    std::string store_;
    pid_t pid_ = -1;
    int port_ = 0;
    std::string scheme_;
};

// A new device token for `name` in the store.
inline std::string add_token(const std::string& store, const std::string& name) {
    auto r = run({SAYSO_COLLECTOR, "token", "add", name, "--store", store});
    if (r.code != 0) throw std::runtime_error("token add failed: " + r.err);
    return r.out.substr(0, r.out.find('\n'));
}

// Ids of every response the collector holds, in arrival order.
inline std::vector<std::string> exported_ids(const std::string& store) {
    auto r = run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl"});
    if (r.code != 0) throw std::runtime_error("export failed: " + r.err);
    std::vector<std::string> ids;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line))
        ids.push_back(nlohmann::json::parse(line)["id"].get<std::string>());
    return ids;
}

} // namespace test
