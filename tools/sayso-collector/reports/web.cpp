#include "web.hpp"

#include "formats/utf8.hpp"
#include "index.hpp"
#include "pack/pack.hpp"
#include "requests.hpp"
#include "server.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

namespace sayso::collector::reports {

namespace {

constexpr const char* kCookie = "sayso_session";
constexpr const char* kSignInCookie = "sayso_signin"; // the sign-in form's token

std::int64_t now_s() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

std::string cookie_of(const http::Request& req) {
    return http::cookie(req.header("Cookie"), kCookie);
}

void html(http::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "text/html; charset=utf-8");
}

void csv(http::Response& res, const std::string& name, const std::string& body) {
    res.status = 200;
    res.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    res.set_content(body, "text/csv; charset=utf-8");
}

void see_other(http::Response& res, const std::string& where) {
    res.status = 303;
    res.set_header("Location", where);
}

} // namespace

ReportServer::ReportServer(Store& store, WebOptions options)
    : store_(store), options_(std::move(options)), http_(options_.limits, options_.cert_file, options_.key_file) {
    options_.threshold = std::max(options_.threshold, kMinGroup);
    for (int i = 0; i < options_.readers && !store_.spec().empty(); ++i) {
        auto r = open_store(store_.spec());
        if (!r) {
            std::fprintf(stderr, "sayso-collector: reports count on one connection: %s\n", r.words().c_str());
            break;
        }
        readers_.push_back(std::move(*r));
    }
    if (!store_.spec().empty())
        indexer_ = std::make_unique<Indexer>(store_.spec(), IndexerOptions{.keys = options_.keys,
                                                                           .words = &options_.words,
                                                                           .min_group = options_.threshold,
                                                                           .every = options_.index_every,
                                                                           .say = options_.say});
    auto& s = http_;
    s.after([](const http::Request&, http::Response& res) {
        res.set_header("Content-Security-Policy",
                       "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; "
                       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("Referrer-Policy", "no-referrer");
        res.set_header("Cache-Control", "no-store");
        res.set_header("X-Frame-Options", "DENY");
    });
    s.on_error([](int status, const std::string& words, http::Response& res) {
        const std::string title = status == 404 ? "Not found" : status == 503 ? "Busy" : "Something went wrong";
        std::string said = status == 404 ? "there is no such page here" : words;
        if (!said.empty()) said[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(said[0])));
        html(res, status, message_page(nullptr, title, said + "."));
        if (status == 503) res.set_header("Retry-After", "5");
    });
    constexpr std::size_t kForm = 64 * 1024; // bytes: a form's fields, never a file
    // Pages are audited as viewed, so they take GET alone: a HEAD would write a view no one saw.
    auto get = [&s](const char* path, http::Handler h) {
        s.route({"GET", path, 0, nullptr, std::move(h), false, false});
    };
    // `heavy`: the handler hashes a password (Argon2id), on the server's own pool for that.
    auto post = [&s](const char* path, http::Handler h, http::Gate g = nullptr, bool heavy = false) {
        s.route({"POST", path, kForm, std::move(g), std::move(h), heavy});
    };

    get("/", [](http::Request&, http::Response& res) { see_other(res, "/service"); });

    // For monitoring, and for tools that must see every arrival counted:
    // whether the index has caught up, and 503 while it can't. No figures,
    // no counts, no reasons: anyone may ask.
    s.route({"GET", "/health", 0, nullptr, [this](http::Request&, http::Response& res) {
                 const IndexStatus st = indexer_ ? indexer_->status() : IndexStatus{};
                 res.status = st.problem.empty() ? 200 : 503;
                 const bool caught_up =
                     st.problem.empty() && st.waiting == 0 && !st.running && (!indexer_ || st.runs > 0);
                 res.set_content(std::string("{\"ok\":") + (st.problem.empty() ? "true" : "false") +
                                     ",\"caught_up\":" + (caught_up ? "true" : "false") + "}\n",
                                 "application/json");
             }});

    get("/login", [this](http::Request& req, http::Response& res) {
        sign_in_page(req, res, 200, after_sign_in(req.has_param("next") ? req.param("next") : ""), "");
    });

    // Sign-in tries are counted from the header, before the form is read.
    auto login_gate = [this](http::Request& req, http::Response& res) {
        if (login_.take(req.remote_key) == 0) return true;
        res.set_header("Retry-After", "60");
        sign_in_page(req, res, 429, after_sign_in(req.has_param("next") ? req.param("next") : ""),
                     "Too many tries from here. Wait a minute and try again.");
        return false;
    };
    post(
        "/login",
        [this](http::Request& req, http::Response& res) {
            const std::string next = after_sign_in(req.has_param("next") ? req.param("next") : "");
            // The form must be this site's own: its token matches its cookie.
            const std::string token = http::cookie(req.header("Cookie"), kSignInCookie);
            if (token.size() != 32 || req.param("signin") != token)
                return sign_in_page(req, res, 403, next, "This sign-in form had expired. Please sign in again.");
            const std::string name = req.has_param("name") ? req.param("name").substr(0, 64) : "";
            const std::string password = req.has_param("password") ? req.param("password") : "";
            // A name no user can have (a NUL, a space, any other byte): no try is counted or made for it,
            // so it can't be a fresh key for the limit below that the store reads as a real name.
            if (!user_name_like(name)) return sign_in_page(req, res, 401, next, "That name and password don't match.");
            // Failures alone are counted, so signing in never uses up a user's own tries.
            if (login_name_.peek(name) > 0) {
                (void)store_.audit("sign_in_held_back", name, "from " + req.remote_addr);
                res.set_header("Retry-After", "60");
                return sign_in_page(req, res, 429, next, "Too many tries for this name. Wait a minute and try again.");
            }
            auto checked = check_login(store_, name, password);
            if (!checked)
                return html(res, 503,
                            message_page(nullptr, "Not available",
                                         "The reports' store can't be reached: " + checked.problem().message));
            const std::optional<SignIn>& user = *checked;
            if (!user) {
                login_name_.take(name);
                (void)store_.audit("sign_in_failed", name, "from " + req.remote_addr);
                return sign_in_page(req, res, 401, next, "That name and password don't match.");
            }
            auto made = new_session(store_, *user, now_s());
            if (!made) return html(res, 503, message_page(nullptr, "Not available", made.problem().message));
            const std::optional<Session>& session = *made;
            // The password was changed, or the user disabled, while it was being checked.
            if (!session) {
                (void)store_.audit("sign_in_failed", name,
                                   "from " + req.remote_addr + " (the password changed meanwhile)");
                return sign_in_page(req, res, 401, next, "That name and password don't match.");
            }
            audit("signed_in", user->user.name, &*session, " from " + req.remote_addr);
            res.set_header("Set-Cookie", std::string(kCookie) + "=" + session->cookie +
                                             "; Path=/; HttpOnly; SameSite=Strict" +
                                             (http_.tls() || req.forwarded_https ? "; Secure" : ""));
            see_other(res, next);
        },
        login_gate, true);

    post("/logout", [this](http::Request& req, http::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        if (!req.has_param("csrf") || req.param("csrf") != session.csrf)
            return html(res, 403, message_page(&session, "Not signed out", "This form has expired; try again."));
        (void)end_session(store_, cookie_of(req));
        audit("signed_out", session.user.name, &session);
        res.set_header("Set-Cookie", std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        see_other(res, "/login");
    });

    auto service = [this](bool as_csv) {
        return [this, as_csv](http::Request& req, http::Response& res) {
            Session session;
            if (!signed_in(req, res, session) || !fresh(res)) return;
            std::string query;
            const Filters f = filters_of(req, query);
            std::unique_lock pool(readers_mu_, std::try_to_lock);
            std::vector<Store*> more;
            if (pool.owns_lock())
                for (auto& r : readers_)
                    more.push_back(r.get());
            auto view = service_view(store_, more, session.user, f, options_.threshold, options_.keys);
            if (!view) return html(res, 503, message_page(&session, "Not available", view.problem().message));
            const ServiceView& v = *view;
            const std::string table = req.has_param("table") ? req.param("table") : "measures";
            static const std::set<std::string> tables = {"measures", "trend", "breakdown", "completion", "comments"};
            if (as_csv && !tables.count(table))
                return html(res, 400,
                            message_page(&session, "No such table",
                                         "A download is one of measures, trend, breakdown, completion or "
                                         "comments."));
            audit(as_csv ? "downloaded" : "viewed",
                  std::string(as_csv ? "/service.csv?table=" + table + "&" : "/service?") + query, &session);
            if (as_csv) return csv(res, "sayso-service-" + table + ".csv", service_csv(options_.words, v, table));
            html(res, 200,
                 service_page(session, options_.words, v, f, query, indexer_ ? indexer_->status() : IndexStatus{}));
        };
    };
    get("/service", service(false));
    get("/service.csv", service(true));

    auto child = [this](bool as_csv) {
        return [this, as_csv](http::Request& req, http::Response& res) {
            Session session;
            if (!signed_in(req, res, session) || !fresh(res)) return;
            const std::string ref = req.has_param("case") ? req.param("case").substr(0, 80) : "";
            ChildView found;
            if (!ref.empty()) {
                auto view = child_view(store_, session.user, {ref}, options_.keys);
                if (!view) return html(res, 503, message_page(&session, "Not available", view.problem().message));
                found = std::move(*view);
            }
            const std::vector<ChildResponse>& rs = found.responses;
            const Access access = found.access;
            const std::string subject = std::string(as_csv ? "/child.csv" : "/child") + "?case=" + ref;
            if (access == Access::Denied) {
                audit("denied", subject, &session);
                return html(res, 403, child_page(session, options_.words, ref, {}, access));
            }
            if (!ref.empty()) audit(as_csv ? "downloaded" : "viewed", subject, &session);
            if (as_csv) return csv(res, "sayso-case.csv", responses_csv(options_.words, rs));
            html(res, 200, child_page(session, options_.words, ref, rs, access));
        };
    };
    get("/child", child(false));
    get("/child.csv", child(true));

    auto family = [this](bool as_csv) {
        return [this, as_csv](http::Request& req, http::Response& res) {
            Session session;
            if (!signed_in(req, res, session) || !fresh(res)) return;
            const std::string ref = req.has_param("family") ? req.param("family").substr(0, 80) : "";
            auto view = family_view(store_, session.user, ref, options_.keys);
            if (!view) return html(res, 503, message_page(&session, "Not available", view.problem().message));
            const std::vector<std::string>& cases = view->cases;
            const std::vector<ChildResponse>& rs = view->responses;
            const Access access = view->access;
            const std::string subject = std::string(as_csv ? "/family.csv" : "/family") + "?family=" + ref;
            if (access == Access::Denied) {
                audit("denied", subject, &session);
                return html(res, 403, family_page(session, options_.words, ref, {}, {}, access));
            }
            if (!ref.empty()) audit(as_csv ? "downloaded" : "viewed", subject, &session);
            if (as_csv) {
                std::vector<ChildResponse> all = rs;
                all.insert(all.end(), view->siblings.begin(), view->siblings.end());
                return csv(res, "sayso-family.csv", responses_csv(options_.words, all));
            }
            html(res, 200, family_page(session, options_.words, ref, cases, rs, access, view->siblings));
        };
    };
    get("/family", family(false));
    get("/family.csv", family(true));

    post("/family", [this](http::Request& req, http::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        const std::string c = req.has_param("case") ? req.param("case").substr(0, 80) : "";
        const std::string f = req.has_param("family") ? req.param("family").substr(0, 80) : "";
        if (!admin_only(req, res, session, Form::Posted, "/family (group " + c + " under " + f + ")",
                        "Only an admin can group case references."))
            return;
        if (c.empty()) return see_other(res, "/family?family=" + url_encode(f));
        if (auto grouped = set_family(store_, c, f); !grouped)
            return html(res, 503, message_page(&session, "Not available", grouped.problem().message));
        audit("family_set", c, &session, " under family " + (f.empty() ? std::string("(none)") : f));
        see_other(res, "/family?family=" + url_encode(f));
    });

    auto wedid = [this](bool as_csv) {
        return [this, as_csv](http::Request& req, http::Response& res) {
            Session session;
            if (!signed_in(req, res, session) || !fresh(res)) return;
            auto listed = we_did_list(store_, session.user, options_.threshold);
            if (!listed) return html(res, 503, message_page(&session, "Not available", listed.problem().message));
            const std::vector<WeDid>& entries = *listed;
            audit(as_csv ? "downloaded" : "viewed", as_csv ? "/wedid.csv" : "/wedid", &session);
            if (as_csv)
                return csv(res, "sayso-you-said-we-did.csv", we_did_csv(options_.words, entries, options_.threshold));
            // The measures to choose from; none held when the store can't say.
            const std::vector<MeasureFigure> ms =
                measure_figures(store_, Reader{"", Role::Admin, "", ""}, Filters{}, options_.threshold)
                    .value_or(std::vector<MeasureFigure>{});
            // The packs' measures in their order, then any others answers were filed under.
            std::vector<std::string> measures;
            for (const auto& m : options_.words.measures())
                measures.push_back(m.id);
            for (const auto& m : ms)
                if (std::find(measures.begin(), measures.end(), m.measure) == measures.end())
                    measures.push_back(m.measure);
            // The service areas to choose from (none when the store can't say); the languages the packs are in.
            const auto areas = service_areas().value_or(std::vector<std::string>{});
            std::vector<std::string> languages;
            for (const auto& p : options_.words.packs())
                for (const auto& l : p->languages)
                    if (std::find(languages.begin(), languages.end(), l) == languages.end()) languages.push_back(l);
            if (languages.empty()) languages.push_back("en");
            html(res, 200,
                 we_did_page(session, options_.words, entries, {measures, areas, languages}, options_.threshold));
        };
    };
    get("/wedid", wedid(false));
    get("/wedid.csv", wedid(true));

    post("/wedid", [this](http::Request& req, http::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        if (!admin_only(req, res, session, Form::Posted, "/wedid (add)",
                        "Only an admin can add to \u201cyou said, we did\u201d."))
            return;
        // Cut where a character ends: what tablets are sent is whole UTF-8 (protocol::kMaxWeDidText).
        auto cut = [&req](const char* name, std::size_t most) {
            std::string v = req.param(name);
            return v.substr(0, sayso::utf8::floor_boundary(v, std::min(most, v.size())));
        };
        const NewWeDid entry{.measure = cut("measure", 64),
                             .you_said = cut("you_said", protocol::kMaxWeDidText),
                             .we_did = cut("we_did", protocol::kMaxWeDidText),
                             .service_area = cut("service_area", 64),
                             .language = cut("language", protocol::kMaxLanguage)};
        if (entry.measure.empty() || entry.you_said.empty() || entry.we_did.empty())
            return html(
                res, 400,
                message_page(&session, "Not added", "A measure, what children said and what was done are all needed."));
        if (entry.language.size() < 2 ||
            entry.language.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != std::string::npos)
            return html(res, 400, message_page(&session, "Not added", "Choose the language the words are written in."));
        if (auto added = add_we_did(store_, entry, session.user.name); !added)
            return html(res, 503, message_page(&session, "Not available", added.problem().message));
        audit("we_did_added", entry.measure, &session,
              " for " + (entry.service_area.empty() ? std::string("every service area") : entry.service_area) + " in " +
                  entry.language);
        see_other(res, "/wedid");
    });
    post("/wedid/remove", [this](http::Request& req, http::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        if (!admin_only(req, res, session, Form::Posted, "/wedid (remove)",
                        "Only an admin can take something off \u201cyou said, we did\u201d."))
            return;
        const std::string seq = req.param("seq");
        if (seq.empty() || seq.size() > 18 || seq.find_first_not_of("0123456789") != std::string::npos)
            return html(res, 400, message_page(&session, "Not removed", "That entry is not known."));
        auto removed = remove_we_did(store_, std::stoll(seq));
        if (!removed) return html(res, 503, message_page(&session, "Not available", removed.problem().message));
        if (!*removed)
            return html(res, 404, message_page(&session, "Not removed", "That entry is not there any more."));
        audit("we_did_removed", seq, &session);
        see_other(res, "/wedid");
    });

    // Users: an admin adds, changes and stops them; the sign-in and role rules are in users.cpp.
    auto users = [this](const Session& session, http::Response& res, int status, const std::string& message,
                        bool problem) {
        auto rows =
            store_.query("SELECT name, role, service_area, practitioner_code, disabled FROM users ORDER BY name", {});
        if (!rows) return html(res, 503, message_page(&session, "Not available", rows.problem().message));
        std::vector<UserRow> list;
        for (const auto& r : *rows)
            list.push_back({Reader{r[0], r[1], r[2], r[3]}, r[4] == "1"});
        // A manager's area: one the packs name, or one a tablet was given.
        auto areas = service_areas();
        if (!areas) return html(res, 503, message_page(&session, "Not available", areas.problem().message));
        html(res, status, users_page(session, options_.words, list, *areas, message, problem));
    };
    get("/users", [this, users](http::Request& req, http::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        if (!admin_only(req, res, session, Form::None, "/users", "Only an admin can see the users.")) return;
        audit("viewed", "/users", &session);
        users(session, res, 200, "", false);
    });
    post(
        "/users",
        [this, users](http::Request& req, http::Response& res) {
            Session session;
            if (!signed_in(req, res, session)) return;
            const std::string name = req.param("name").substr(0, 80);
            if (!admin_only(req, res, session, Form::Posted, "/users (add " + name + ")",
                            "Only an admin can add users."))
                return;
            const Reader u{name, req.param("role"), req.param("service_area"), req.param("code")};
            const std::string password = req.param("password");
            if (password != req.param("again"))
                return users(session, res, 400, "The two passwords differ; nothing was saved.", true);
            if (auto added = add_user(store_, u, password); !added)
                return users(session, res, 400, added.words() + "; nothing was saved.", true);
            audit("user_added", name, &session, std::string(", role ") + role_name(u.role));
            users(session, res, 200, "Saved: " + name + " (" + role_name(u.role) + ").", false);
        },
        nullptr, true);
    post("/users/disable", [this, users](http::Request& req, http::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        const std::string name = req.param("name").substr(0, 80);
        if (!admin_only(req, res, session, Form::Posted, "/users/disable " + name,
                        "Only an admin can stop another user signing in.", name == session.user.name))
            return;
        if (auto disabled = disable_user(store_, name); !disabled)
            return users(session, res, 400, disabled.words(), true);
        audit("user_disabled", name, &session);
        users(session, res, 200, name + " can no longer sign in.", false);
    });

    get("/audit", [this](http::Request& req, http::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        if (!admin_only(req, res, session, Form::None, "/audit", "Only an admin can read the audit log.")) return;
        std::vector<AuditEntry> entries;
        (void)store_.for_each_audit([&](const AuditEntry& a) {
            entries.push_back(a);
            if (entries.size() > 5000) entries.erase(entries.begin());
            return true;
        });
        audit("viewed", "/audit", &session);
        html(res, 200, audit_page(session, entries));
    });

    // Pictures of answers, as the child saw them: only files the pack model names.
    // A child's drawing or recording, for a reader who may see the response it is in (the child view's rule); audited.
    auto clip = [this, &get](const char* path, const char* type, const char* noun) {
        get(path, [this, path, type, noun](http::Request& req, http::Response& res) {
            Session session;
            if (!signed_in(req, res, session) || !fresh(res)) return;
            const std::string id = req.has_param("response") ? req.param("response").substr(0, 40) : "";
            const std::string q = req.has_param("q") ? req.param("q").substr(0, 200) : "";
            auto view = clip_view(store_, session.user, id, q, options_.keys);
            if (!view) return html(res, 503, message_page(&session, "Not available", view.problem().message));
            const std::string subject = std::string(path) + "?response=" + id + "&q=" + q;
            const std::string what = std::string("This ") + noun;
            if (view->access == Access::Denied) {
                audit("denied", subject, &session);
                return html(res, 403, message_page(&session, "Not yours to see", what + " is not one you may see."));
            }
            if (view->access == Access::NotFound || view->type != type)
                return html(
                    res, 404,
                    message_page(&session, std::string("No ") + noun, std::string("There is no such ") + noun + "."));
            if (!view->unopened.empty())
                return html(
                    res, 404,
                    message_page(&session, "Can't be opened", what + " can't be opened: " + view->unopened + "."));
            // A part at a time, as a browser's audio element asks to find a recording's length and to seek in it.
            http::set_ranged_content(req, res, std::move(view->bytes), type);
            if (res.status != 416 && new_look(session.user.name, subject)) audit("viewed", subject, &session);
        });
    };
    clip("/drawing", "image/png", "drawing");
    clip("/recording", "audio/ogg", "recording");

    get("/picture", [this](http::Request& req, http::Response& res) {
        Session session;
        if (!signed_in(req, res, session)) return;
        const pack::Pack* p = options_.words.pack_of(req.param("pack"), req.has_param("v") ? req.param("v") : "");
        const pack::Band* band = p ? p->band(req.param("band")) : nullptr;
        const pack::Option* o = nullptr;
        if (band)
            for (const auto& q : band->questions)
                if (q.id == req.param("q")) o = q.option(req.param("o"));
        if (!o || o->picture.empty())
            return html(res, 404, message_page(&session, "No picture", "There is no such picture."));
        const std::filesystem::path file =
            o->builtin ? options_.assets / "pictures" / (o->picture + ".png") : std::filesystem::path(o->picture);
        std::ifstream in(file, std::ios::binary);
        if (!in) return html(res, 404, message_page(&session, "No picture", "The picture's file is missing."));
        std::ostringstream ss;
        ss << in.rdbuf();
        res.set_content(ss.str(), "image/png");
    });
}

ReportServer::~ReportServer() = default;

bool ReportServer::new_look(const std::string& user, const std::string& subject) {
    const std::int64_t now = now_s();
    std::lock_guard lock(looks_mu_);
    if (looks_.size() > 10'000) // an old look is one to audit again anyway
        for (auto it = looks_.begin(); it != looks_.end();)
            it = now - it->second >= 600 ? looks_.erase(it) : std::next(it);
    auto [it, fresh] = looks_.try_emplace(user + '\n' + subject, now);
    if (fresh || now - it->second >= 600) {
        it->second = now;
        return true;
    }
    return false;
}

bool ReportServer::signed_in(const http::Request& req, http::Response& res, Session& out) {
    std::optional<Session> s;
    const std::string cookie = cookie_of(req);
    if (!cookie.empty()) {
        auto found = find_session(store_, cookie, now_s());
        if (!found) {
            html(res, 503,
                 message_page(nullptr, "Not available",
                              "The reports' store can't be reached: " + found.problem().message));
            return false;
        }
        s = std::move(*found);
    }
    if (!s) {
        std::string target = req.path;
        if (!req.query.empty()) {
            std::string q;
            for (const auto& [k, v] : req.query)
                q += (q.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
            target += q;
        }
        see_other(res, "/login?next=" + url_encode(req.method == "GET" && target.size() <= 2000 ? target : "/service"));
        return false;
    }
    out = *s;
    return true;
}

void ReportServer::audit(const std::string& event, const std::string& subject, const Session* s,
                         const std::string& more) {
    const std::string who = s ? "by " + s->user.name + " (" + role_name(s->user.role) + ")" : "";
    if (auto written = store_.audit(event, subject.substr(0, 500), who + more); !written)
        std::fprintf(stderr, "sayso-collector: can't write the audit log: %s\n", written.problem().message.c_str());
}

bool ReportServer::admin_only(const http::Request& req, http::Response& res, const Session& s, Form form,
                              const std::string& subject, const std::string& words, bool refused_anyway) {
    const bool forged = form == Form::Posted && (!req.has_param("csrf") || req.param("csrf") != s.csrf);
    if (s.user.role == Role::Admin && !forged && !refused_anyway) return true;
    audit("denied", subject, &s);
    html(res, 403, message_page(&s, "Not allowed", words));
    return false;
}

void ReportServer::sign_in_page(const http::Request& req, http::Response& res, int status, const std::string& next,
                                const std::string& problem) {
    // The token a signed-out browser already holds is kept, so two tabs both work.
    std::string token = http::cookie(req.header("Cookie"), kSignInCookie);
    const bool hex = token.size() == 32 && std::all_of(token.begin(), token.end(), [](char c) {
                         return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                     });
    if (!hex) token = random_hex(16);
    html(res, status, login_page(next, problem, token));
    res.set_header("Set-Cookie", std::string(kSignInCookie) + "=" + token + "; Path=/login; HttpOnly; SameSite=Strict" +
                                     (http_.tls() || req.forwarded_https ? "; Secure" : ""));
}

Stored<std::vector<std::string>> ReportServer::service_areas() {
    std::vector<std::string> areas;
    for (const auto& a : options_.words.service_areas())
        areas.push_back(a.id);
    auto tablets = store_.query("SELECT DISTINCT service_area FROM device_services ORDER BY service_area", {});
    if (!tablets) return tablets.problem();
    for (const auto& r : *tablets)
        if (!r[0].empty() && std::find(areas.begin(), areas.end(), r[0]) == areas.end()) areas.push_back(r[0]);
    return areas;
}

bool ReportServer::fresh(http::Response& res) {
    if (indexer_) {
        indexer_->wake();
        return true;
    }
    std::lock_guard lock(index_mu_);
    if (auto indexed = index_new(store_, options_.keys, options_.words, options_.threshold); !indexed) {
        html(res, 503,
             message_page(nullptr, "Not available",
                          "New responses can't be added to the reports: " + indexed.problem().message));
        return false;
    }
    return true;
}

} // namespace sayso::collector::reports
