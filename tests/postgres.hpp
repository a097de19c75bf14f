// A throwaway PostgreSQL cluster from Debian's packages, in a temporary
// folder, reachable only through a Unix socket there.
#pragma once

#include "support.hpp"

#include <libpq-fe.h>
#include <pwd.h>

namespace test {

class ThrowawayPostgres {
  public:
    ThrowawayPostgres() {
        const fs::path bin = find_bin();
        if (bin.empty()) {
            why_not_ = "PostgreSQL's server programs are not installed (apt-get install postgresql)";
            return;
        }
        // PostgreSQL refuses to run as root: run it as the postgres user then.
        std::vector<std::string> as;
        if (getuid() == 0) {
            passwd* pw = getpwnam("postgres");
            if (!pw) {
                why_not_ = "running as root and there is no postgres user to run PostgreSQL as";
                return;
            }
            as = {"/usr/sbin/runuser", "-u", "postgres", "--"};
            uid_ = pw->pw_uid;
            gid_ = pw->pw_gid;
        }
        fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                         fs::perms::others_read | fs::perms::others_exec);
        data_ = dir_ / "data";
        socket_ = dir_ / "socket";
        fs::create_directories(socket_);
        if (uid_ >= 0) {
            chown(dir_.path().c_str(), static_cast<uid_t>(uid_), static_cast<gid_t>(gid_));
            chown(socket_.c_str(), static_cast<uid_t>(uid_), static_cast<gid_t>(gid_));
        }
        auto cmd = [&](std::vector<std::string> args) {
            args.insert(args.begin(), as.begin(), as.end());
            return run(args);
        };
        auto init = cmd({(bin / "initdb").string(), "-D", data_.string(), "-A", "trust", "-U", "postgres", "--no-sync",
                         "-E", "UTF8"});
        if (init.code != 0) {
            why_not_ = "initdb failed: " + init.err;
            return;
        }
        auto start = cmd({(bin / "pg_ctl").string(), "-D", data_.string(), "-w", "-l", (dir_ / "log").string(), "-o",
                          "-k " + socket_.string() + " -c listen_addresses= -p 5432 -c fsync=on", "start"});
        if (start.code != 0) {
            why_not_ = "pg_ctl start failed: " + start.err + read_file(dir_ / "log");
            return;
        }
        stop_ = [bin, as, this] {
            std::vector<std::string> args = as;
            for (auto a : {(bin / "pg_ctl").string(), std::string("-D"), data_.string(), std::string("-m"),
                           std::string("immediate"), std::string("stop")})
                args.push_back(a);
            run(args);
        };
        running_ = true;
    }
    ~ThrowawayPostgres() {
        if (stop_) stop_();
    }

    bool running() const { return running_; }
    const std::string& why_not() const { return why_not_; }

    // A fresh, empty database, as a libpq URI.
    std::string new_database() {
        const std::string name = "t" + std::to_string(++count_);
        PGconn* c = PQconnectdb(uri("postgres").c_str());
        PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
        const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        PQfinish(c);
        if (!ok) throw std::runtime_error("CREATE DATABASE failed");
        return uri(name);
    }
    std::string uri(const std::string& db) const {
        return "postgresql:///" + db + "?host=" + socket_.string() + "&port=5432&user=postgres";
    }

  private:
    TempDir dir_;
    fs::path data_, socket_;
    std::string why_not_;
    bool running_ = false;
    int count_ = 0;
    long uid_ = -1, gid_ = -1;
    std::function<void()> stop_;

    static fs::path find_bin() {
        std::error_code ec;
        for (int v = 20; v >= 11; --v) {
            fs::path p = "/usr/lib/postgresql/" + std::to_string(v) + "/bin";
            if (fs::exists(p / "initdb", ec)) return p;
        }
        return {};
    }
};

// One cluster for the whole test run: starting one takes a second or two.
inline ThrowawayPostgres& postgres() {
    static ThrowawayPostgres pg;
    return pg;
}

} // namespace test
