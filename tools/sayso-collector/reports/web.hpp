// The reports website: sayso-collector reports. Every page and download needs
// a signed-in user and shows only what their role allows; every view,
// download, refusal and sign-in is written to the audit log.
#pragma once

#include "http/rate_limit.hpp"
#include "http/server.hpp"
#include "indexer.hpp"
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

namespace sayso::collector::reports {

struct WebOptions {
    int threshold = kMinGroup;       // raised, never below kMinGroup
    std::vector<SealKeyPair> keys;   // open sealed answers
    Vocabulary words;                // the packs: names, question texts and pictures, tones
    std::filesystem::path assets;    // the kiosk's pictures (faces, yes/no)
    std::string cert_file, key_file; // both: HTTPS
    http::Limits limits;             // connections, deadlines, header size
    int readers = 1;                 // more connections, so a page's figures are counted at once
    // New arrivals are indexed in the background, looked for this often
    // (and after each page view); never on a page view's path.
    std::chrono::milliseconds index_every{1000};
    std::function<void(const std::string&)> say; // what the indexer has to tell the log
};

class ReportServer {
  public:
    ReportServer(Store& store, WebOptions options);
    ~ReportServer();
    int bind(const std::string& host, int port) { return http_.bind(host, port); }
    bool serve() { return http_.serve(); }
    void stop() { http_.stop(); }
    bool tls() const { return http_.tls(); }

  private:
    // The session behind the request's cookie, or a redirect to the sign-in page.
    bool signed_in(const http::Request& req, http::Response& res, Session& out);
    void audit(const std::string& event, const std::string& subject, const Session* s, const std::string& more = "");
    // Asks the indexer to look for new arrivals (it never waits for them);
    // without a second connection, indexes them here. False (and a 503) if that fails.
    bool fresh(http::Response& res);
    // The service areas one may choose: those the packs name, then those tablets were given.
    Stored<std::vector<std::string>> service_areas();
    // Admins' pages and forms, checked in one place: anyone else, a posted
    // form without this session's token, or `refused_anyway` gets 403 in
    // `words`, and the refusal is audited with `subject`.
    enum class Form { None, Posted };
    bool admin_only(const http::Request& req, http::Response& res, const Session& s, Form form,
                    const std::string& subject, const std::string& words, bool refused_anyway = false);
    // The sign-in page with its form token, the token's cookie set.
    void sign_in_page(const http::Request& req, http::Response& res, int status, const std::string& next,
                      const std::string& problem);

    Store& store_;
    WebOptions options_;
    std::vector<std::unique_ptr<Store>> readers_; // used by one page at a time; others count on store_ alone
    std::mutex readers_mu_;
    std::mutex index_mu_;
    std::unique_ptr<Indexer> indexer_; // null: a store only this connection reaches (indexed on page views)
    // A clip is fetched in parts (an audio element asks for ranges): every part served counts as a look, and
    // looks by one reader at one clip within 10 minutes are audited once.
    bool new_look(const std::string& user, const std::string& subject);
    std::mutex looks_mu_;
    std::map<std::string, std::int64_t> looks_; // reader + subject: when last audited (s)
    // 20 sign-in tries a minute from one address, 20 at once: enough for an
    // office behind one address, too few to guess passwords.
    http::RateLimit login_{20, 20};
    // And 10 failures a minute for one name, from anywhere: many addresses can't guess one password freely.
    http::RateLimit login_name_{10, 10};
    http::Server http_;
};

} // namespace sayso::collector::reports
