#include "web.hpp"

#include "index.hpp"
#include "pack/pack.hpp"
#include "server.hpp"

#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>

namespace sayso::collector::reports {

namespace {

constexpr const char* kCookie = "sayso_session";

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string cookie_of(const httplib::Request& req) {
    const std::string all = req.get_header_value("Cookie");
    const std::string key = std::string(kCookie) + "=";
    for (std::size_t at = 0; at < all.size();) {
        while (at < all.size() && (all[at] == ' ' || all[at] == ';')) ++at;
        const auto end = all.find(';', at);
        const std::string part = all.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (part.rfind(key, 0) == 0) return part.substr(key.size());
        if (end == std::string::npos) break;
        at = end + 1;
    }
    return "";
}

bool month_like(const std::string& m) {
    return m.size() == 7 && std::isdigit(static_cast<unsigned char>(m[0])) && m[4] == '-' &&
           std::all_of(m.begin(), m.begin() + 4, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
           std::isdigit(static_cast<unsigned char>(m[5])) && std::isdigit(static_cast<unsigned char>(m[6]));
}

Filters filters_of(const httplib::Request& req, std::string& query) {
    Filters f;
    auto get = [&](const char* k) { return req.has_param(k) ? req.get_param_value(k).substr(0, 80) : std::string(); };
    f.service_area = get("service_area");
    f.visit_type = get("visit_type");
    f.band = get("band");
    f.practitioner_code = get("practitioner_code");
    f.month_from = month_like(get("from")) ? get("from") : "";
    f.month_to = month_like(get("to")) ? get("to") : "";
    const std::string by = get("by");
    const auto& dims = breakdown_dimensions();
    if (std::find(dims.begin(), dims.end(), by) != dims.end()) f.by = by;
    for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{{"service_area", f.service_area},
                                                                              {"visit_type", f.visit_type},
                                                                              {"band", f.band},
                                                                              {"practitioner_code", f.practitioner_code},
                                                                              {"from", f.month_from},
                                                                              {"to", f.month_to},
                                                                              {"by", f.by}})
        if (!v.empty()) query += (query.empty() ? "" : "&") + k + "=" + url_encode(v);
    return f;
}

void html(httplib::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "text/html; charset=utf-8");
}

void csv(httplib::Response& res, const std::string& name, const std::string& body) {
    res.status = 200;
    res.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    res.set_content(body, "text/csv; charset=utf-8");
}

void see_other(httplib::Response& res, const std::string& where) {
    res.status = 303;
    res.set_header("Location", where);
}

} // namespace

Packs load_packs(const std::filesystem::path& root, std::vector<std::string>& problems) {
    Packs packs;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
        if (!entry.is_directory() || !std::filesystem::exists(entry.path() / "pack.json")) continue;
        auto r = pack::load_pack(entry.path());
        if (!r.ok()) {
            problems.push_back(entry.path().string() + ": " +
                               (r.problems.empty() ? std::string("can't be read") : r.problems.front().str()));
            continue;
        }
        packs[r.pack->id] = r.pack;
    }
    if (ec) problems.push_back("can't read " + root.string() + ": " + ec.message());
    return packs;
}

ReportServer::ReportServer(Store& store, WebOptions options) : store_(store), options_(std::move(options)) {
    options_.threshold = std::max(options_.threshold, kMinGroup);
    for (int i = 0; i < options_.readers && !store_.spec().empty(); ++i) {
        std::string err;
        auto r = open_store(store_.spec(), err);
        if (!r) {
            std::fprintf(stderr, "sayso-collector: reports count on one connection: %s\n", err.c_str());
            break;
        }
        readers_.push_back(std::move(r));
    }
    if (!options_.cert_file.empty() && !options_.key_file.empty()) {
        http_ = std::make_unique<httplib::SSLServer>(options_.cert_file.c_str(), options_.key_file.c_str());
        tls_ = true;
    } else {
        http_ = std::make_unique<httplib::Server>();
    }
    auto& s = *http_;
    s.set_payload_max_length(64 * 1024); // forms only
    s.set_read_timeout(30, 0);
    s.set_write_timeout(30, 0);
    s.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
        res.set_header("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                                                  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("Referrer-Policy", "no-referrer");
        res.set_header("Cache-Control", "no-store");
        res.set_header("X-Frame-Options", "DENY");
    });

    s.Get("/", [](const httplib::Request&, httplib::Response& res) { see_other(res, "/service"); });

    s.Get("/login", [this](const httplib::Request& req, httplib::Response& res) {
        html(res, 200, login_page(req.has_param("next") ? req.get_param_value("next") : "/service", ""));
    });

    s.Post("/login", [this](const httplib::Request& req, httplib::Response& res) {
        std::string next = req.has_param("next") ? req.get_param_value("next") : "/service";
        if (next.empty() || next[0] != '/' || next.rfind("//", 0) == 0 || next.find('\\') != std::string::npos)
            next = "/service"; // only a page of this site
        if (!allow_login(req.remote_addr)) {
            res.set_header("Retry-After", "60");
            return html(res, 429, login_page(next, "Too many tries from here. Wait a minute and try again."));
        }
        const std::string name = req.has_param("name") ? req.get_param_value("name").substr(0, 64) : "";
        const std::string password = req.has_param("password") ? req.get_param_value("password") : "";
        std::optional<Reader> user;
        if (auto e = check_login(store_, name, password, user))
            return html(res, 503, message_page(nullptr, "Not available", "The reports' store can't be reached: " + e->message));
        if (!user) {
            store_.audit("sign_in_failed", name, "from " + req.remote_addr);
            return html(res, 401, login_page(next, "That name and password don't match."));
        }
        Session session;
        if (auto e = new_session(store_, *user, now_s(), session))
            return html(res, 503, message_page(nullptr, "Not available", e->message));
        audit("signed_in", user->name, &session, " from " + req.remote_addr);
        res.set_header("Set-Cookie", std::string(kCookie) + "=" + session.cookie + "; Path=/; HttpOnly; SameSite=Strict" +
                                         (tls_ ? "; Secure" : ""));
        see_other(res, next);
    });

    s.Post("/logout", [this](const httplib::Request& req, httplib::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        if (!req.has_param("csrf") || req.get_param_value("csrf") != session.csrf)
            return html(res, 403, message_page(&session, "Not signed out", "This form has expired; try again."));
        end_session(store_, cookie_of(req));
        audit("signed_out", session.user.name, &session);
        res.set_header("Set-Cookie", std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        see_other(res, "/login");
    });

    auto service = [this](bool as_csv) {
        return [this, as_csv](const httplib::Request& req, httplib::Response& res) {
            Session session;
            if (!signed_in(req, res, session) || !fresh(res)) return;
            std::string query;
            const Filters f = filters_of(req, query);
            ServiceView v;
            std::unique_lock pool(readers_mu_, std::try_to_lock);
            std::vector<Store*> more;
            if (pool.owns_lock())
                for (auto& r : readers_) more.push_back(r.get());
            if (auto e = service_view(store_, more, session.user, f, options_.threshold, options_.keys, v))
                return html(res, 503, message_page(&session, "Not available", e->message));
            const std::string table = req.has_param("table") ? req.get_param_value("table") : "measures";
            audit(as_csv ? "downloaded" : "viewed", std::string(as_csv ? "/service.csv?table=" + table + "&" : "/service?") + query,
                  &session);
            if (as_csv) return csv(res, "sayso-service-" + table + ".csv", service_csv(v, table));
            html(res, 200, service_page(session, v, f, query));
        };
    };
    s.Get("/service", service(false));
    s.Get("/service.csv", service(true));

    auto child = [this](bool as_csv) {
        return [this, as_csv](const httplib::Request& req, httplib::Response& res) {
            Session session;
            if (!signed_in(req, res, session) || !fresh(res)) return;
            const std::string ref = req.has_param("case") ? req.get_param_value("case").substr(0, 80) : "";
            std::vector<ChildResponse> rs;
            Access access = Access::NotFound;
            if (!ref.empty())
                if (auto e = child_view(store_, session.user, {ref}, options_.keys, rs, access))
                    return html(res, 503, message_page(&session, "Not available", e->message));
            const std::string subject = std::string(as_csv ? "/child.csv" : "/child") + "?case=" + ref;
            if (access == Access::Denied) {
                audit("denied", subject, &session);
                return html(res, 403, child_page(session, options_.packs, ref, {}, access));
            }
            if (!ref.empty()) audit(as_csv ? "downloaded" : "viewed", subject, &session);
            if (as_csv) return csv(res, "sayso-case.csv", responses_csv(options_.packs, rs));
            html(res, 200, child_page(session, options_.packs, ref, rs, access));
        };
    };
    s.Get("/child", child(false));
    s.Get("/child.csv", child(true));

    auto family = [this](bool as_csv) {
        return [this, as_csv](const httplib::Request& req, httplib::Response& res) {
            Session session;
            if (!signed_in(req, res, session) || !fresh(res)) return;
            const std::string ref = req.has_param("family") ? req.get_param_value("family").substr(0, 80) : "";
            std::vector<std::string> cases;
            std::vector<ChildResponse> rs;
            Access access = Access::NotFound;
            if (!ref.empty()) {
                if (auto e = family_cases(store_, ref, cases))
                    return html(res, 503, message_page(&session, "Not available", e->message));
                if (auto e = child_view(store_, session.user, cases, options_.keys, rs, access))
                    return html(res, 503, message_page(&session, "Not available", e->message));
            }
            const std::string subject = std::string(as_csv ? "/family.csv" : "/family") + "?family=" + ref;
            if (access == Access::Denied) {
                audit("denied", subject, &session);
                return html(res, 403, family_page(session, options_.packs, ref, cases, {}, access));
            }
            if (!ref.empty()) audit(as_csv ? "downloaded" : "viewed", subject, &session);
            if (as_csv) return csv(res, "sayso-family.csv", responses_csv(options_.packs, rs));
            html(res, 200, family_page(session, options_.packs, ref, cases, rs, access));
        };
    };
    s.Get("/family", family(false));
    s.Get("/family.csv", family(true));

    s.Post("/family", [this](const httplib::Request& req, httplib::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        const std::string c = req.has_param("case") ? req.get_param_value("case").substr(0, 80) : "";
        const std::string f = req.has_param("family") ? req.get_param_value("family").substr(0, 80) : "";
        if (session.user.role != "admin" || !req.has_param("csrf") || req.get_param_value("csrf") != session.csrf) {
            audit("denied", "/family (group " + c + " under " + f + ")", &session);
            return html(res, 403, message_page(&session, "Not allowed", "Only an admin can group case references."));
        }
        if (c.empty()) return see_other(res, "/family?family=" + url_encode(f));
        if (auto e = set_family(store_, c, f))
            return html(res, 503, message_page(&session, "Not available", e->message));
        audit("family_set", c, &session, " under family " + (f.empty() ? std::string("(none)") : f));
        see_other(res, "/family?family=" + url_encode(f));
    });

    auto wedid = [this](bool as_csv) {
        return [this, as_csv](const httplib::Request& req, httplib::Response& res) {
            Session session;
            if (!signed_in(req, res, session) || !fresh(res)) return;
            std::vector<WeDid> entries;
            if (auto e = we_did_list(store_, session.user, options_.threshold, entries))
                return html(res, 503, message_page(&session, "Not available", e->message));
            audit(as_csv ? "downloaded" : "viewed", as_csv ? "/wedid.csv" : "/wedid", &session);
            if (as_csv) return csv(res, "sayso-you-said-we-did.csv", we_did_csv(entries, options_.threshold));
            std::vector<MeasureFigure> ms;
            measure_figures(store_, Reader{"", "admin", "", ""}, Filters{}, options_.threshold, ms);
            std::vector<std::string> measures;
            for (const auto& m : ms) measures.push_back(m.measure);
            for (const char* known : {"listened", "knows_me", "involved", "keeps_promises", "help_good",
                                      "better_services", "explained"})
                if (std::find(measures.begin(), measures.end(), known) == measures.end()) measures.push_back(known);
            html(res, 200, we_did_page(session, entries, measures, options_.threshold));
        };
    };
    s.Get("/wedid", wedid(false));
    s.Get("/wedid.csv", wedid(true));

    s.Post("/wedid", [this](const httplib::Request& req, httplib::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        if (session.user.role != "admin" || !req.has_param("csrf") || req.get_param_value("csrf") != session.csrf) {
            audit("denied", "/wedid (add)", &session);
            return html(res, 403, message_page(&session, "Not allowed", "Only an admin can add to \u201cyou said, we did\u201d."));
        }
        const std::string m = req.get_param_value("measure").substr(0, 64);
        const std::string said = req.get_param_value("you_said").substr(0, 2000);
        const std::string did = req.get_param_value("we_did").substr(0, 2000);
        if (m.empty() || said.empty() || did.empty())
            return html(res, 400, message_page(&session, "Not added", "A measure, what children said and what was done are all needed."));
        if (auto e = add_we_did(store_, m, said, did, session.user.name))
            return html(res, 503, message_page(&session, "Not available", e->message));
        audit("we_did_added", m, &session);
        see_other(res, "/wedid");
    });

    // Users: an admin adds, changes and stops them; the sign-in and role rules are in users.cpp.
    auto users = [this](const Session& session, httplib::Response& res, int status, const std::string& message,
                        bool problem) {
        std::vector<Store::Row> rows;
        std::vector<UserRow> list;
        if (auto e = store_.query("SELECT name, role, service_area, practitioner_code, disabled FROM users ORDER BY name",
                                  {}, rows))
            return html(res, 503, message_page(&session, "Not available", e->message));
        for (const auto& r : rows) list.push_back({Reader{r[0], r[1], r[2], r[3]}, r[4] == "1"});
        html(res, status, users_page(session, list, message, problem));
    };
    s.Get("/users", [this, users](const httplib::Request& req, httplib::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        if (session.user.role != "admin") {
            audit("denied", "/users", &session);
            return html(res, 403, message_page(&session, "Not allowed", "Only an admin can see the users."));
        }
        audit("viewed", "/users", &session);
        users(session, res, 200, "", false);
    });
    s.Post("/users", [this, users](const httplib::Request& req, httplib::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        const std::string name = req.get_param_value("name").substr(0, 80);
        if (session.user.role != "admin" || req.get_param_value("csrf") != session.csrf) {
            audit("denied", "/users (add " + name + ")", &session);
            return html(res, 403, message_page(&session, "Not allowed", "Only an admin can add users."));
        }
        const Reader u{name, req.get_param_value("role"), req.get_param_value("service_area"),
                       req.get_param_value("code")};
        const std::string password = req.get_param_value("password");
        if (password != req.get_param_value("again")) return users(session, res, 400, "The two passwords differ; nothing was saved.", true);
        if (auto why = add_user(store_, u, password)) return users(session, res, 400, *why + "; nothing was saved.", true);
        audit("user_added", name, &session, ", role " + u.role);
        users(session, res, 200, "Saved: " + name + " (" + u.role + ").", false);
    });
    s.Post("/users/disable", [this, users](const httplib::Request& req, httplib::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        const std::string name = req.get_param_value("name").substr(0, 80);
        if (session.user.role != "admin" || req.get_param_value("csrf") != session.csrf || name == session.user.name) {
            audit("denied", "/users/disable " + name, &session);
            return html(res, 403, message_page(&session, "Not allowed", "Only an admin can stop another user signing in."));
        }
        if (auto why = disable_user(store_, name)) return users(session, res, 400, *why, true);
        audit("user_disabled", name, &session);
        users(session, res, 200, name + " can no longer sign in.", false);
    });

    s.Get("/audit", [this](const httplib::Request& req, httplib::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        if (session.user.role != "admin") {
            audit("denied", "/audit", &session);
            return html(res, 403, message_page(&session, "Not allowed", "Only an admin can read the audit log."));
        }
        std::vector<AuditEntry> entries;
        store_.for_each_audit([&](const AuditEntry& a) {
            entries.push_back(a);
            if (entries.size() > 5000) entries.erase(entries.begin());
            return true;
        });
        audit("viewed", "/audit", &session);
        html(res, 200, audit_page(session, entries));
    });

    // Pictures of answers, as the child saw them: only files the pack model names.
    s.Get("/picture", [this](const httplib::Request& req, httplib::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        auto it = options_.packs.find(req.get_param_value("pack"));
        const pack::Band* band = it == options_.packs.end() ? nullptr : it->second->band(req.get_param_value("band"));
        const pack::Option* o = nullptr;
        if (band)
            for (const auto& q : band->questions)
                if (q.id == req.get_param_value("q")) o = q.option(req.get_param_value("o"));
        if (!o || o->picture.empty()) return html(res, 404, message_page(&session, "No picture", "There is no such picture."));
        const std::filesystem::path file =
            o->builtin ? options_.assets / "pictures" / (o->picture + ".png") : std::filesystem::path(o->picture);
        std::ifstream in(file, std::ios::binary);
        if (!in) return html(res, 404, message_page(&session, "No picture", "The picture's file is missing."));
        std::ostringstream ss;
        ss << in.rdbuf();
        res.set_content(ss.str(), "image/png");
    });

    s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty())
            html(res, res.status, message_page(nullptr, res.status == 404 ? "Not found" : "Something went wrong",
                                               res.status == 404 ? "There is no such page here."
                                                                 : "The request could not be handled."));
    });
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        html(res, 500, message_page(nullptr, "Something went wrong", "The reports hit an internal error."));
    });
}

ReportServer::~ReportServer() = default;

bool ReportServer::signed_in(const httplib::Request& req, httplib::Response& res, Session& out) {
    std::optional<Session> s;
    const std::string cookie = cookie_of(req);
    if (!cookie.empty())
        if (auto e = find_session(store_, cookie, now_s(), s)) {
            html(res, 503, message_page(nullptr, "Not available", "The reports' store can't be reached: " + e->message));
            return false;
        }
    if (!s) {
        std::string target = req.path;
        if (!req.params.empty()) {
            std::string q;
            for (const auto& [k, v] : req.params) q += (q.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
            target += q;
        }
        see_other(res, "/login?next=" + url_encode(req.method == "GET" ? target : "/service"));
        return false;
    }
    out = *s;
    return true;
}

void ReportServer::audit(const std::string& event, const std::string& subject, const Session* s,
                         const std::string& more) {
    const std::string who = s ? "by " + s->user.name + " (" + s->user.role + ")" : "";
    if (auto e = store_.audit(event, subject.substr(0, 500), who + more))
        std::fprintf(stderr, "sayso-collector: can't write the audit log: %s\n", e->message.c_str());
}

bool ReportServer::fresh(httplib::Response& res) {
    std::lock_guard lock(index_mu_);
    Indexed done;
    if (auto e = index_new(store_, options_.keys, done)) {
        html(res, 503, message_page(nullptr, "Not available",
                                    "New responses can't be added to the reports: " + e->message));
        return false;
    }
    return true;
}

bool ReportServer::allow_login(const std::string& address) {
    // 20 sign-in tries a minute from one address, 20 at once: enough for an
    // office behind one address, too few to guess passwords.
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(login_mu_);
    auto [it, fresh] = login_buckets_.try_emplace(address, 20.0, now);
    auto& [tokens, at] = it->second;
    if (!fresh) tokens = std::min(20.0, tokens + std::chrono::duration<double>(now - at).count() * 20.0 / 60.0);
    at = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
}

int ReportServer::bind(const std::string& host, int port) { return bind_http(*http_, host, port); }

bool ReportServer::serve() { return http_->listen_after_bind(); }

void ReportServer::stop() { http_->stop(); }

} // namespace sayso::collector::reports
