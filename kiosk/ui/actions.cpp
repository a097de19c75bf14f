#include "actions.hpp"

#include "config.hpp"
#include "enrol.hpp"
#include "formats/formats.hpp"
#include "pack/install.hpp"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <variant>

namespace sayso::ui {

namespace {

// Where the answers file could not be opened at start, nothing can be kept.
const flow::StorageProblem kNoStore{flow::StorageProblem::Kind::CannotOpen, "the answers file is not open"};

// The PINs and what is waiting, read off the drawing thread.
Facts read_facts(access::Gate* gate, storage::Store* store) {
    Facts f;
    if (!gate || !store) return f;
    f.pins.usable = true;
    f.pins.practitioner = gate->has_pin(access::Role::Practitioner);
    f.pins.admin = gate->has_pin(access::Role::Admin);
    f.pins.practitioner_locked_until_ms = gate->locked_until_ms(access::Role::Practitioner);
    f.pins.admin_locked_until_ms = gate->locked_until_ms(access::Role::Admin);
    if (const auto waiting = store->waiting()) f.waiting = *waiting;
    f.sealing = store->sealing();
    return f;
}

} // namespace

std::string Actions::settings_file() const {
    return p_.options.sync_config ? p_.options.sync_config->string() : std::string();
}

void Actions::load_settings() {
    p_.facts = read_facts(p_.gate, p_.store);
    if (!p_.store) return;
    const auto seen = p_.store->setting("talk_seen_at");
    const std::int64_t since = seen && *seen ? std::atoll((*seen)->c_str()) : 0;
    if (const auto talk = p_.store->count_talk_requests(since); talk && *talk > 0) p_.flow.set_talk_requests(*talk);
    if (const auto disabled = p_.store->setting("disabled_packs"); disabled && *disabled) {
        std::set<std::string> ids;
        for (const auto& id : formats::options_from_json(**disabled))
            ids.insert(id);
        p_.shelf.set_disabled(ids);
    }
    const auto pattern = p_.store->setting("case_pattern");
    if (!pattern) {
        std::fprintf(stderr, "sayso: %s\n", pattern.problem().detail.c_str());
    } else if (*pattern && !p_.flow.set_case_pattern(**pattern)) {
        std::fprintf(stderr, "sayso: the case reference pattern \"%s\" is not a valid pattern; ignored\n",
                     (*pattern)->c_str());
    }
}

// A refused pack's problems go to the log in full (the practitioner screen shows the first).
void Actions::log_shelf() {
    for (const auto& p : p_.shelf.problems())
        std::fprintf(stderr, "sayso: %s\n", p.str().c_str());
    for (const auto& name : p_.shelf.refused())
        std::fprintf(stderr, "sayso: pack folder %s refused; %s\n", name.c_str(),
                     p_.shelf.packs().empty() ? "no good pack is installed" : "any earlier good version stays in use");
}

// Rescans the packs on a copy of the shelf, off the drawing thread; the
// copy replaces the shelf between frames if anything changed.
void Actions::reload_packs() {
    p_.tasks.run<std::optional<pack::Shelf>>(
        "reading the survey packs",
        [shelf = p_.shelf]() mutable -> std::optional<pack::Shelf> {
            if (!shelf.reload()) return std::nullopt;
            return std::move(shelf);
        },
        [this](std::optional<pack::Shelf> fresh) {
            if (fresh) adopt_shelf(std::move(*fresh));
        });
}

// Sessions hold their own packs, so the shelf can change under a child
// answering; which packs an admin took out of use stays as it is now.
void Actions::adopt_shelf(pack::Shelf fresh) {
    auto disabled = p_.shelf.disabled();
    p_.shelf = std::move(fresh);
    p_.shelf.set_disabled(std::move(disabled));
    log_shelf();
    decode_pack_pictures();
}

void Actions::decode(const std::vector<std::string>& paths) {
    auto need = p_.textures.wanted(paths);
    if (need.empty()) return;
    p_.tasks.run<std::vector<Decoded>>(
        "decoding pictures", [need = std::move(need)] { return decode_pictures(need); },
        [this](std::vector<Decoded> pictures) { p_.textures.add(std::move(pictures)); });
}

void Actions::decode_pack_pictures() {
    std::vector<std::string> paths;
    for (const auto& p : p_.shelf.all())
        for (auto& path : pack_pictures(*p))
            paths.push_back(std::move(path));
    decode(paths);
}

void Actions::refresh_facts() {
    if (!p_.gate) return;
    p_.tasks.run<Facts>(
        "reading the PINs", [gate = p_.gate, store = p_.store] { return read_facts(gate, store); },
        [this](Facts f) {
            f.pins.checking = p_.facts.pins.checking;
            f.wiping = p_.facts.wiping;
            p_.facts = f;
        });
}

// What this frame's taps asked for: the flow's transitions first, in the
// order tapped, then the slow work, each as a task.
void Actions::apply(Intents now) {
    for (auto& change : now.flow)
        change(p_.flow);
    for (auto& a : now.asks)
        std::visit([this](auto& x) { handle(std::move(x)); }, a);
}

void Actions::handle(ask::CheckPin a) {
    if (!p_.gate || p_.facts.pins.checking) return;
    p_.facts.pins.checking = true;
    const auto role = a.role;
    p_.tasks.run<access::PinResult<access::Gate::Attempt>>(
        "checking a PIN",
        [gate = p_.gate, a = std::move(a)]() mutable {
            auto r = gate->check(a.role, a.pin);
            a.pin.assign(a.pin.size(), '\0');
            return r;
        },
        [this, role](access::PinResult<access::Gate::Attempt> r) {
            p_.facts.pins.checking = false;
            pin_checked(role, r);
            refresh_facts();
        });
}

void Actions::pin_checked(access::Role role, const access::PinResult<access::Gate::Attempt>& checked) {
    const bool admin = role == access::Role::Admin;
    if (checked && checked->outcome == access::Gate::Outcome::LockedOut) {
        const std::int64_t until = p_.clock.wall_ms() + checked->locked_for_ms;
        (admin ? p_.facts.pins.admin_locked_until_ms : p_.facts.pins.practitioner_locked_until_ms) = until;
    }
    // Only the PIN pad that asked takes the answer.
    if (p_.flow.screen() != (admin ? flow::Screen::AdminPin : flow::Screen::Locked)) return;
    if (!checked) {
        p_.held.pin_message = checked.words();
        return;
    }
    switch (checked->outcome) {
    case access::Gate::Outcome::Open:
    case access::Gate::Outcome::NoPin:
        if (!admin)
            p_.flow.unlock();
        else if (p_.held.quit_asked)
            p_.quit = true;
        else
            p_.flow.admin_unlock();
        break;
    case access::Gate::Outcome::Wrong: p_.held.pin_message = "That PIN isn't right. Try again."; break;
    case access::Gate::Outcome::LockedOut: break; // the lockout message shows
    }
}

void Actions::handle(ask::SetPin a) {
    if (!p_.gate) return;
    p_.facts.pins.checking = true;
    const auto role = a.role;
    p_.tasks.run<access::PinResult<void>>(
        "setting a PIN",
        [gate = p_.gate, a = std::move(a)]() mutable {
            auto r = gate->set_pin(a.role, a.pin);
            a.pin.assign(a.pin.size(), '\0');
            return r;
        },
        [this, role](access::PinResult<void> set) {
            p_.facts.pins.checking = false;
            if (set && role == access::Role::Practitioner) p_.flow.set_locking(true);
            if (p_.flow.screen() == flow::Screen::Admin) {
                p_.held.admin.message =
                    set ? "The " + std::string(access::role_name(role)) + " PIN is set." : set.words();
                p_.held.admin.message_is_problem = !set;
            }
            refresh_facts();
        });
}

// In use at once; kept as a setting (a JSON list of pack ids) off the frame.
void Actions::handle(ask::UsePack a) {
    auto ids = p_.shelf.disabled();
    if (a.in_use)
        ids.erase(a.id);
    else
        ids.insert(a.id);
    p_.shelf.set_disabled(ids);
    p_.tasks.run<flow::StoreResult<void>>(
        "keeping which packs are in use",
        [store = p_.store, json = nlohmann::json(ids).dump()]() -> flow::StoreResult<void> {
            if (!store) return kNoStore;
            return store->set_setting("disabled_packs", json);
        },
        [this](flow::StoreResult<void> kept) {
            if (kept) return;
            std::fprintf(stderr, "sayso: which packs are in use could not be kept: %s\n", kept.words().c_str());
            if (p_.flow.screen() != flow::Screen::Admin) return;
            p_.held.admin.message = kept.words() + " The change holds until Sayso restarts.";
            p_.held.admin.message_is_problem = true;
        });
}

namespace {
struct Installed {
    pack::InstallResult result;
    std::optional<pack::Shelf> shelf; // rescanned after a good install
};
} // namespace

// Copied, verified, and the shelf rescanned, off the frame.
void Actions::handle(ask::Install a) {
    p_.tasks.run<Installed>(
        "installing a pack",
        [folder = std::move(a.folder), shelf = p_.shelf]() mutable {
            Installed out;
            out.result = pack::install_pack(folder, shelf.root(), shelf.trust());
            if (out.result.ok && shelf.reload()) out.shelf = std::move(shelf);
            return out;
        },
        [this](Installed r) {
            if (r.shelf) adopt_shelf(std::move(*r.shelf));
            if (p_.flow.screen() != flow::Screen::Admin) return;
            p_.held.admin.installing = false;
            p_.held.admin.problems.clear();
            for (const auto& p : r.result.problems)
                p_.held.admin.problems.push_back(p.str());
            p_.held.admin.message = r.result.message;
            p_.held.admin.message_is_problem = !r.result.ok;
            p_.held.admin.found.reset(); // look at the sticks again
            p_.held.admin.looking = false;
        });
}

void Actions::handle(ask::LookForPacks) {
    p_.tasks.run<std::vector<std::filesystem::path>>(
        "looking for pack folders", [roots = p_.options.import_roots] { return pack::find_pack_folders(roots); },
        [this](std::vector<std::filesystem::path> found) {
            if (p_.flow.screen() != flow::Screen::Admin || !p_.held.admin.looking) return;
            p_.held.admin.found = std::move(found);
            p_.held.admin.looking = false;
        });
}

namespace {
struct SettingsRead {
    std::string endpoint, words, problem;
    bool enrolled = false;
};
} // namespace

// What the settings file says (never the token), for the delivery tab.
void Actions::handle(ask::LoadDeliverySettings) {
    p_.tasks.run<SettingsRead>(
        "reading the delivery settings",
        [file = settings_file()] {
            SettingsRead r;
            auto c = sync::load_config(file);
            if (!c) {
                if (c.problem().kind == sync::SettingsProblem::Kind::NoFile) return r;
                r.problem = c.words();
                r.endpoint = sync::read_endpoint(file).endpoint; // to fill in, even from a file with a mistake
                return r;
            }
            r.endpoint = c->endpoint;
            if (!c->token.empty()) {
                r.enrolled = true;
                r.words = "Sends to " + c->endpoint + " in batches of up to " + std::to_string(c->batch_size) +
                          ", looking for new answers every " + std::to_string(static_cast<int>(c->interval_seconds)) +
                          " s" + (c->ca_file.empty() ? "" : "; trusts the certificates in " + c->ca_file) + ". " +
                          (c->seal_keys.empty() ? std::string("Answers are not sealed.")
                                                : "Answers are sealed to key \"" + c->seal_keys.back().id + "\".");
            }
            return r;
        },
        [this](SettingsRead r) {
            if (p_.flow.screen() != flow::Screen::Admin) return;
            p_.held.admin.settings_loading = false;
            p_.held.admin.settings_loaded = true;
            p_.held.admin.enrolled = r.enrolled;
            p_.held.admin.settings_words = std::move(r.words);
            p_.held.admin.settings_problem = std::move(r.problem);
            if (!p_.held.admin.endpoint_loaded) {
                if (p_.held.admin.endpoint.empty()) p_.held.admin.endpoint = std::move(r.endpoint);
                p_.held.admin.endpoint_loaded = true;
            }
        });
}

namespace {
struct Enrolled {
    Result<sync::Enrolment, sync::EnrolProblem> enrolment = sync::EnrolProblem{};
    std::string kept_problem; // enrolled, but the settings could not be written
    DeliveryStart start;
};
} // namespace

// Enrolment talks to the collector and writes the settings, off the frame.
void Actions::handle(ask::Enrol a) {
    if (enrolling_ || settings_file().empty()) return;
    if (p_.facts.wiping) {
        p_.held.admin.message = "Wait for the wipe to finish, then enrol.";
        p_.held.admin.message_is_problem = true;
        return;
    }
    enrolling_ = true;
    p_.tasks.run<Enrolled>(
        "enrolling this tablet",
        [a = std::move(a), file = settings_file(), settings = p_.options.sync_config, store = p_.store] {
            Enrolled out;
            // The CA file stays the settings file's: a council's own CA is set there.
            const auto ca = sync::read_endpoint(file).ca_file;
            const std::string device = store ? store->device_id() : std::string();
            out.enrolment = sync::enrol(a.endpoint, ca, a.code, device);
            if (!out.enrolment) return out;
            if (auto kept = sync::save_enrolment(file, *out.enrolment); !kept)
                out.kept_problem = kept.words();
            else
                out.start = prepare_delivery(settings, store);
            return out;
        },
        [this](Enrolled e) {
            enrolling_ = false;
            const auto& r = e.enrolment;
            std::string words = r ? sync::describe(*r) : r.words();
            bool problem = !r;
            if (r && !e.kept_problem.empty()) {
                words = "Enrolled, but the settings could not be kept: " + e.kept_problem;
                problem = true;
            } else if (r) {
                // A wipe under way stops delivery and starts it again itself, once it is done.
                if (!p_.facts.wiping) p_.delivery.start(std::move(e.start));
                words += r->seal_keys.empty() ? " The collector gave no keys, so answers are not sealed."
                                              : " Answers are sealed to key \"" + r->seal_keys.back().id + "\".";
            }
            std::fprintf(stderr, "sayso: enrolment: %s\n", words.c_str());
            if (p_.flow.screen() != flow::Screen::Admin) return;
            if (r && !problem) p_.held.admin.code.clear();
            p_.held.admin.settings_loaded = false; // read them again
            p_.held.admin.message = words;
            p_.held.admin.message_is_problem = problem;
        });
}

namespace {
struct Wiped {
    bool rows_gone = false; // the answers, PINs and settings are deleted
    // The wipe did not finish (the rows may be gone all the same); the task clears it when it did.
    std::string problem = "The wipe did not finish. Wipe again.";
    std::string forget_problem; // wiped, but the token and keys are still in the settings file
    DeliveryStart start;
};
} // namespace

// Delivery stops first, so neither of its connections is open while the
// answers go; then answers, PINs and settings, then the token and keys.
void Actions::handle(ask::Wipe) {
    if (!p_.store || p_.facts.wiping) return;
    // No child is handed the tablet, and delivery does not start again, until it is done.
    p_.facts.wiping = true;
    p_.tasks.run<Wiped>(
        "wiping the tablet",
        // The only owner of the client, so resetting it stops it here.
        [delivering = p_.delivery.take(), store = p_.store, file = settings_file(),
         settings = p_.options.sync_config]() mutable {
            delivering.reset(); // waits for its thread to end, closing both its connections
            Wiped w;
            w.problem.clear();
            auto erased = store->erase_all();
            w.rows_gone = erased.ok();
            const auto wiped = erased ? store->compact() : erased;
            if (!wiped) {
                w.problem = wiped.problem().kind == storage::StorageProblem::Kind::Locked
                                ? "The wipe did not finish: another program has the answers file open, so old copies"
                                  " of what was deleted may still be in it. Close that program, then wipe again."
                                : "The wipe did not finish: " + wiped.words();
                std::fprintf(stderr, "sayso: wipe: %s\n", wiped.problem().detail.c_str());
            }
            // Once the rows are gone, so go the token and keys, whether or not the log was emptied.
            if (w.rows_gone && !file.empty())
                if (auto forgot = sync::forget_enrolment(file); !forgot) w.forget_problem = forgot.words();
            w.start = prepare_delivery(settings, store);
            return w;
        },
        [this](Wiped w) {
            p_.facts.wiping = false;
            p_.delivery.start(std::move(w.start));
            refresh_facts();
            if (w.rows_gone) {
                p_.flow.set_locking(false);
                p_.shelf.set_disabled({});
            }
            if (p_.flow.screen() != flow::Screen::Admin) return;
            p_.held.admin.message =
                !w.problem.empty() ? w.problem
                : !w.forget_problem.empty()
                    ? "Answers and PINs were wiped, but " + w.forget_problem
                    : "This tablet was wiped: no answers, PINs, settings, token or keys are left on it.";
            p_.held.admin.message_is_problem = !w.problem.empty() || !w.forget_problem.empty();
        });
}

// The notice is seen to; kept, so it does not come back after a restart.
void Actions::handle(ask::TalkSeen) {
    p_.flow.acknowledge_talk();
    p_.tasks.run<flow::StoreResult<void>>(
        "keeping that the talk notice was seen",
        [store = p_.store, at = p_.flow.talk_seen_at()]() -> flow::StoreResult<void> {
            if (!store) return kNoStore;
            return store->set_setting("talk_seen_at", std::to_string(at));
        },
        [](flow::StoreResult<void> kept) {
            if (!kept)
                std::fprintf(stderr, "sayso: the talk notice may come back after a restart: %s\n",
                             kept.words().c_str());
        });
}

} // namespace sayso::ui
