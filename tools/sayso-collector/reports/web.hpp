// The reports website: sayso-collector reports. Every page and download needs
// a signed-in user and shows only what their role allows; every view,
// download, refusal and sign-in is written to the audit log.
#pragma once

#include "keys.hpp"
#include "pages.hpp"
#include "store.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace sayso::collector::reports {

struct WebOptions {
    int threshold = kMinGroup;               // raised, never below kMinGroup
    std::vector<SealKeyPair> keys;           // open sealed answers
    Packs packs;                             // question texts and pictures
    std::filesystem::path assets;            // the kiosk's pictures (faces, yes/no)
    std::string cert_file, key_file;         // both: HTTPS
    int readers = 1;                         // more connections, so a page's figures are counted at once
};

class ReportServer {
public:
    ReportServer(Store& store, WebOptions options);
    ~ReportServer();
    int bind(const std::string& host, int port);
    bool serve();
    void stop();
    bool tls() const { return tls_; }

private:
    // The session behind the request's cookie, or a redirect to the sign-in page.
    bool signed_in(const httplib::Request& req, httplib::Response& res, Session& out);
    void audit(const std::string& event, const std::string& subject, const Session* s, const std::string& more = "");
    bool fresh(httplib::Response& res); // indexes new arrivals; false (and a 503) if that fails
    bool allow_login(const std::string& address);

    Store& store_;
    WebOptions options_;
    std::vector<std::unique_ptr<Store>> readers_; // used by one page at a time; others count on store_ alone
    std::mutex readers_mu_;
    std::unique_ptr<httplib::Server> http_;
    bool tls_ = false;
    std::mutex index_mu_;
    std::mutex login_mu_;
    std::map<std::string, std::pair<double, std::chrono::steady_clock::time_point>> login_buckets_;
};

// Packs in the folders under `root`, by id (a broken one is skipped and named in `problems`).
Packs load_packs(const std::filesystem::path& root, std::vector<std::string>& problems);

} // namespace sayso::collector::reports
