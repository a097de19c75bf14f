#include "delivery.hpp"

#include "config.hpp"
#include "we_did.hpp"

#include <SDL.h>

#include <cstdio>

namespace sayso::ui {

DeliveryStart prepare_delivery(const std::optional<std::filesystem::path>& settings, storage::Store* store) {
    DeliveryStart out;
    if (!settings || !store) return out;
    auto conf = sync::load_config(*settings);
    // Answers are sealed to the collector's newest key before they are written.
    // The key is replaced in one step, never cleared first: this runs off the
    // main loop, which may be saving a child's answer meanwhile.
    if (conf && !conf->seal_keys.empty()) {
        const auto& k = conf->seal_keys.back();
        if (auto sealing = store->set_seal_key(k.id, k.public_key); !sealing) {
            store->clear_seal_key();
            out.log.push_back(sealing.problem().detail);
        }
    } else {
        store->clear_seal_key();
    }
    if (!conf) {
        // No file at all is "not set up"; a file with a mistake is a problem to show.
        if (conf.problem().kind != sync::SettingsProblem::Kind::NoFile) {
            out.problem = conf.words();
            out.log.push_back("delivery is off: " + conf.words());
        }
        return out;
    }
    if (conf->token.empty()) {
        out.log.push_back("this tablet is not enrolled yet (no token in " + settings->string() + ")");
        return out;
    }
    if (conf->seal_keys.empty())
        out.log.push_back("answers are not sealed: " + settings->string() + " gives no seal_keys");
    if (!conf->publish_key.empty())
        if (auto kept = sync::stored_we_did(*store, conf->publish_key))
            out.we_did = std::make_shared<const protocol::WeDidList>(std::move(*kept));
    out.config = std::move(*conf);
    return out;
}

// Delivery runs on its own thread with its own connection to the database.
void Delivery::start(DeliveryStart start) {
    client_.reset();
    problem_ = std::move(start.problem);
    kept_we_did_ = std::move(start.we_did);
    for (const auto& line : start.log)
        std::fprintf(stderr, "sayso: %s\n", line.c_str());
    if (!start.config) return;
    client_ = std::make_unique<sync::Client>(
        db_, *start.config,
        [] {
            SDL_Event e{};
            e.type = SDL_USEREVENT;
            SDL_PushEvent(&e); // thread-safe: wakes the main loop to redraw
        },
        &clock_);
}

std::optional<sync::Status> Delivery::status() const {
    if (!client_) return std::nullopt;
    return client_->status();
}

std::optional<DeliveryView> Delivery::view() {
    const auto s = status();
    const auto problem = s ? s->problem : sync::Status::Problem::None;
    if (problem != logged_problem_) {
        logged_problem_ = problem;
        if (problem != sync::Status::Problem::None)
            std::fprintf(stderr, "sayso: delivery: %s\n", sync::describe(problem).c_str());
    }
    const std::int64_t refused = s ? s->refused : 0;
    if (refused != logged_refused_) {
        logged_refused_ = refused;
        if (refused > 0)
            std::fprintf(stderr,
                         "sayso: delivery: %lld response(s) refused by the server, kept on this tablet and not sent"
                         " again; the latest because: %s\n",
                         static_cast<long long>(refused), s->refusal.c_str());
    }
    const std::string we_did_problem = s ? s->we_did_problem : std::string();
    if (we_did_problem != logged_we_did_problem_) {
        logged_we_did_problem_ = we_did_problem;
        if (!we_did_problem.empty())
            std::fprintf(stderr, "sayso: \"you said, we did\" was not fetched: %s\n", we_did_problem.c_str());
    }
    if (!s) return std::nullopt;
    return DeliveryView{.waiting = s->waiting,
                        .refused = s->refused,
                        .last_delivery_ms = s->last_delivery_ms,
                        .problem = problem == sync::Status::Problem::None ? std::string() : sync::describe(problem),
                        .rounds = s->rounds};
}

std::shared_ptr<const protocol::WeDidList> Delivery::we_did() const {
    if (client_)
        if (auto fetched = client_->status().we_did) return fetched;
    return kept_we_did_;
}

} // namespace sayso::ui
