#include "app.hpp"

#include "access/gate.hpp"
#include "formats/formats.hpp"
#include "input.hpp"
#include "layout.hpp"
#include "pack/install.hpp"
#include "pack/shelf.hpp"
#include "replay.hpp"
#include "screens/screens.hpp"
#include "shaped_text.hpp"
#include "speaker.hpp"
#include "storage/store.hpp"
#include "tasks/frame_guard.hpp"
#include "tasks/tasks.hpp"
#include "textures.hpp"
#include "theme.hpp"
#include "widgets.hpp"

#include "client.hpp"
#include "config.hpp"
#include "enrol.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <variant>
#include <vector>

namespace sayso::ui {

namespace {

using Clock = std::chrono::steady_clock;

// Stands in for storage when the answers file could not be opened, so the
// flow refuses to start a session instead of losing what a child says.
class Unavailable final : public flow::Recorder {
public:
    explicit Unavailable(flow::StorageProblem p) : p_(std::move(p)) {}
    std::optional<flow::StorageProblem> begin(const flow::ResponseStart&) override { return p_; }
    std::optional<flow::StorageProblem> record(const std::string&, const flow::AnswerRecord&) override { return p_; }
    std::optional<flow::StorageProblem> finish(const std::string&, flow::Completion, std::int64_t) override { return p_; }
    std::optional<flow::StorageProblem> flag_talk(const std::string&) override { return p_; }
    std::optional<flow::StorageProblem> set_language(const std::string&, const std::string&) override { return p_; }

private:
    flow::StorageProblem p_;
};

// What the delivery settings come to, read off the drawing thread: the
// client to start, or why not, and what to log.
struct DeliveryStart {
    std::optional<sync::Config> config; // set: start the client with it
    std::string problem;                // the settings file has a mistake
    std::vector<std::string> log;
};

// Reads the settings and sets the store's seal key (any thread).
DeliveryStart prepare_delivery(const std::optional<std::filesystem::path>& settings, storage::Store* store) {
    DeliveryStart out;
    if (!settings || !store) return out;
    store->clear_seal_key();
    std::string err;
    auto conf = sync::load_config(*settings, err);
    if (!conf) {
        // No file at all is "not set up"; a file with a mistake is a problem to show.
        std::error_code ec;
        if (std::filesystem::exists(*settings, ec)) {
            out.problem = err;
            out.log.push_back("delivery is off: " + err);
        }
        return out;
    }
    // Answers are sealed to the collector's newest key before they are written.
    if (!conf->seal_keys.empty()) {
        const auto& k = conf->seal_keys.back();
        if (auto e = store->set_seal_key(k.id, k.public_key)) out.log.push_back(*e);
    }
    if (conf->token.empty()) {
        out.log.push_back("this tablet is not enrolled yet (no token in " + settings->string() + ")");
        return out;
    }
    if (conf->seal_keys.empty())
        out.log.push_back("answers are not sealed: " + settings->string() + " gives no seal_keys");
    out.config = std::move(conf);
    return out;
}

// The PINs and what is waiting, read off the drawing thread.
Facts read_facts(access::Gate* gate, storage::Store* store) {
    Facts f;
    if (!gate || !store) return f;
    f.pins_usable = true;
    f.practitioner_pin = gate->has_pin(access::Role::Practitioner);
    f.admin_pin = gate->has_pin(access::Role::Admin);
    f.practitioner_locked_until_ms = gate->locked_until_ms(access::Role::Practitioner);
    f.admin_locked_until_ms = gate->locked_until_ms(access::Role::Admin);
    std::int64_t waiting = 0;
    if (!store->waiting(waiting)) f.waiting = waiting;
    f.sealing = store->sealing();
    return f;
}

struct SdlDeleter {
    void operator()(SDL_Window* w) const { SDL_DestroyWindow(w); }
    void operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); }
};

class Kiosk {
public:
    Kiosk(const Options& o, const flow::Clock& clock, flow::Recorder& recorder, std::string storage_problem,
          access::Gate* gate, storage::Store* store, SDL_Window* window, SDL_Renderer* renderer)
        : o_(o), clock_(clock), flow_(clock, recorder, o.settings), shelf_(o.packs, o.trust), textures_(renderer, o.assets),
          storage_problem_(std::move(storage_problem)), gate_(gate), store_(store), window_(window),
          renderer_(renderer),
          shaped_(renderer, latin_font_path(false)) {
        set_shaped_text(&shaped_);
        // Before the first frame: what the kiosk needs to know to show it.
        load_settings();
        facts_ = read_facts(gate_, store_);
        begin_delivery(prepare_delivery(o_.sync_config, store_));
        if (!speaker_.available()) std::fprintf(stderr, "sayso: read-aloud is off: %s\n", speaker_.problem().c_str());
        for (const auto& p : shaped_.problems()) std::fprintf(stderr, "sayso: %s\n", p.c_str());
        // With a practitioner PIN set, the kiosk starts on the PIN pad and returns to it after each child.
        if (facts_.practitioner_pin) {
            flow_.set_locking(true);
            flow_.lock();
            last_screen_ = flow::Screen::Locked;
        }
        if (shelf_.reload()) log_shelf();
        // The pictures are decoded off the drawing thread; a frame before they
        // come draws the tiles without them.
        decode_pictures_of(asset_pictures(o_.assets));
        decode_pack_pictures();
        relayout();
        screen_since_ = clock_.monotonic();
    }

    ~Kiosk() {
        write_timings();
        set_shaped_text(nullptr);
    }

    // Live: wait for input or the flow's next deadline, draw only when needed.
    int live() {
        while (!quit_) {
            pump();
            if (input_.idle() && frames_ == 0 && !animating()) wait();
            step();
        }
        return kExitOk;
    }

    int replay(const Script& script, flow::ManualClock& clock) {
        settle();
        for (const auto& c : script.commands) {
            // Every frame so far drew without waiting on a disk, a network or a hash.
            if (!replay_problem_.empty()) return fail(c, replay_problem_);
            if (quit_) break;
            switch (c.verb) {
            case Command::Verb::Tap: {
                settle();
                auto at = widgets_.centre(c.arg);
                if (!at) return fail(c, "tap " + c.arg + ": no widget with that id on the " + current() +
                                            " screen (on screen: " + widgets_.list() + ")");
                push_tap(*at);
                settle();
                break;
            }
            case Command::Verb::Wait: {
                // Time jumps from deadline to deadline; the frames in between
                // would only show animations nobody is watching.
                const auto end = clock.monotonic() + flow::Millis(c.number);
                while (clock.monotonic() < end) {
                    auto d = flow_.next_deadline();
                    auto to = d && *d > clock.monotonic() && *d < end ? *d : end;
                    if (d && *d <= clock.monotonic()) to = clock.monotonic() + flow::Millis(1);
                    clock.advance(std::min(to, end) - clock.monotonic());
                    flow_.tick();
                }
                settle();
                break;
            }
            case Command::Verb::Idle:
                clock.advance(flow::Millis(c.number * 1000));
                settle();
                break;
            case Command::Verb::Shot:
                settle();
                if (!shot(c.arg)) return fail(c, "shot " + c.arg + ": can't write " + (o_.shots / (c.arg + ".png")).string());
                break;
            case Command::Verb::Expect: {
                settle();
                if (!matches(c.arg)) return fail(c, "expected the " + c.arg + " screen, but the " + current() + " screen is showing");
                break;
            }
            case Command::Verb::Type:
                push_text(c.arg);
                settle();
                break;
            case Command::Verb::Deliver: {
                // Real time, not the replay's clock: delivery runs on its own thread.
                if (!client_) return fail(c, "deliver: delivery is not set up (--sync-config)");
                const auto before = client_->status().rounds;
                client_->wake();
                const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
                for (;;) {
                    const auto s = client_->status();
                    if (s.rounds > before && (s.waiting == 0 || s.problem != sync::Status::Problem::None)) break;
                    if (std::chrono::steady_clock::now() > until)
                        return fail(c, "deliver: the outbox did not empty within 30 s");
                    SDL_Delay(20);
                }
                frames_ = std::max(frames_, 2);
                settle();
                break;
            }
            case Command::Verb::Quit: {
                // What closing the window or the system's quit keys send.
                SDL_Event e{};
                e.type = SDL_QUIT;
                SDL_PushEvent(&e);
                settle();
                break;
            }
            case Command::Verb::Listen: {
                // Real time: speech is made and played on other threads.
                settle();
                if (!speaker_.available()) return fail(c, "listen: no sound device (" + speaker_.problem() + ")");
                const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
                while (speaker_.busy()) {
                    if (std::chrono::steady_clock::now() > until) return fail(c, "listen: still speaking after 30 s");
                    SDL_Delay(20);
                }
                settle();
                break;
            }
            case Command::Verb::Key: {
                SDL_Event e{};
                e.type = SDL_KEYDOWN;
                e.key.keysym.sym = c.arg == "backspace" ? SDLK_BACKSPACE : SDLK_RETURN;
                e.key.keysym.scancode = c.arg == "backspace" ? SDL_SCANCODE_BACKSPACE : SDL_SCANCODE_RETURN;
                SDL_PushEvent(&e);
                settle();
                break;
            }
            }
        }
        if (!replay_problem_.empty()) {
            std::fprintf(stderr, "sayso: replay: %s\n", replay_problem_.c_str());
            return kExitReplay;
        }
        return kExitOk;
    }

    bool first_frame_done() const { return !frame_ms_.empty(); }

private:
    const Options& o_;
    const flow::Clock& clock_;
    flow::Flow flow_;
    pack::Shelf shelf_;
    Textures textures_;
    Widgets widgets_;
    Input input_;
    Layout layout_;
    Fonts fonts_;
    std::string storage_problem_;
    std::unique_ptr<sync::Client> client_; // null: delivery is not running, and delivery_problem_ says why
    std::string delivery_problem_;
    bool enrolling_ = false; // an enrolment is under way (the admin screen)
    sync::Status::Problem logged_problem_ = sync::Status::Problem::None;
    std::int64_t logged_refused_ = 0;
    std::string logged_storage_; // detail of the storage problem last logged; empty: none
    access::Gate* gate_;
    storage::Store* store_; // null when the answers file could not be opened
    std::string pin_entry_, pin_message_;
    std::string editing_; // practitioner screen: the field being typed
    AdminState admin_;
    Facts facts_;       // read between frames, shown by the screens
    Intents intents_;   // what this frame's taps asked for, applied after it
    bool quit_asked_ = false;
    std::string delivery_settings_ = o_.sync_config ? o_.sync_config->string() : std::string();
    SDL_Window* window_;
    SDL_Renderer* renderer_;
    ShapedText shaped_;
    Speaker speaker_;
    std::string spoken_; // what is showing, for read-aloud: screen, question and language
    flow::Access access_; // what the screens are drawn with now
    bool quit_ = false;
    int frames_ = 2; // frames still to draw
    std::uint64_t drawn_version_ = ~0ull;
    flow::Screen last_screen_ = flow::Screen::Practitioner;
    flow::Millis screen_since_{0};
    flow::Millis last_frame_{0};
    bool text_input_ = false;
    std::vector<double> frame_ms_;
    double first_frame_ms_ = 0;
    std::string replay_problem_;      // why the replay fails: a frame did slow work, or a task hung
    std::set<std::string> slow_logged_; // slow work a live frame did, logged once each
    // Slow work, one task after another off the drawing thread; declared
    // last, so it stops (finishing what was asked) before anything it
    // reports to is gone. Its wake pushes an event the loop wakes on.
    tasks::Tasks tasks_{[] {
        SDL_Event e{};
        e.type = SDL_USEREVENT;
        SDL_PushEvent(&e); // thread-safe
    }};

    std::string current() const {
        std::string s = flow::screen_name(flow_.screen());
        if (flow_.screen() == flow::Screen::Question) s += " (question:" + flow_.session()->question().id + ")";
        return s;
    }

    bool matches(const std::string& want) const {
        const std::string name = flow::screen_name(flow_.screen());
        if (want == name) return true;
        return flow_.screen() == flow::Screen::Question && want == "question:" + flow_.session()->question().id;
    }

    int fail(const Command& c, const std::string& why) {
        std::fprintf(stderr, "sayso: replay line %d: %s\n", c.line, why.c_str());
        return kExitReplay;
    }

    bool animating() const {
        if (flow_.session() && flow_.session()->access.less_motion) return false;
        if (!flow_.confirming().empty()) return true;
        return flow_.screen() == flow::Screen::Thanks && clock_.monotonic() - screen_since_ < flow::Millis(1900);
    }

    void relayout() {
        int w = 0, h = 0;
        SDL_GetRendererOutputSize(renderer_, &w, &h);
        float dpi = o_.dpi;
        if (dpi <= 0 && !o_.headless) {
            float ddpi = 0;
            if (SDL_GetDisplayDPI(SDL_GetWindowDisplayIndex(window_), &ddpi, nullptr, nullptr) == 0) dpi = ddpi;
        }
        layout_ = Layout::compute(static_cast<float>(w), static_cast<float>(h), dpi);
        rebuild_fonts();
        apply_style(layout_);
        if (!fonts_.problem.empty()) std::fprintf(stderr, "sayso: %s\n", fonts_.problem.c_str());
        frames_ = 2;
    }

    // Closing the window or the quit keys: never during a child's session, and
    // only with the admin PIN when there is one.
    void request_quit() {
        const auto s = flow_.screen();
        if (s == flow::Screen::Welcome || s == flow::Screen::Question || s == flow::Screen::StillThere ||
            s == flow::Screen::Thanks) {
            std::fprintf(stderr, "sayso: not closing during a child's session\n");
            return;
        }
        if (s == flow::Screen::Admin || !facts_.admin_pin) {
            quit_ = true;
            return;
        }
        quit_asked_ = true;
        if (s != flow::Screen::AdminPin) flow_.open_admin(true);
        frames_ = std::max(frames_, 2);
    }

    // Settings the admin made on this tablet, and children who asked to talk
    // whom the practitioner has not yet seen to (kept across a restart).
    void load_settings() {
        if (!store_) return;
        std::optional<std::string> seen;
        int talk = 0;
        std::int64_t since = 0;
        if (!store_->setting("talk_seen_at", seen) && seen) since = std::atoll(seen->c_str());
        if (!store_->count_talk_requests(since, talk) && talk > 0) flow_.set_talk_requests(talk);
        std::optional<std::string> disabled;
        if (!store_->setting("disabled_packs", disabled) && disabled) {
            std::set<std::string> ids;
            for (const auto& id : formats::options_from_json(*disabled)) ids.insert(id);
            shelf_.set_disabled(ids);
        }
        std::optional<std::string> pattern;
        if (auto p = store_->setting("case_pattern", pattern)) {
            std::fprintf(stderr, "sayso: %s\n", p->detail.c_str());
        } else if (pattern && !flow_.set_case_pattern(*pattern)) {
            std::fprintf(stderr, "sayso: the case reference pattern \"%s\" is not a valid pattern; ignored\n",
                         pattern->c_str());
        }
    }

    void rebuild_fonts() {
        static const float scales[] = {1.0f, 1.2f, 1.45f}; // the three text sizes a child can choose
        ImGui_ImplSDLRenderer_DestroyFontsTexture();
        fonts_ = build_fonts(layout_, scales[std::clamp(access_.text_size, 0, 2)], access_.easy_font);
        ImGui_ImplSDLRenderer_CreateFontsTexture();
        frames_ = std::max(frames_, 2);
    }

    // The child's text size, contrast and font; the practitioner's screens use the defaults.
    void apply_access() {
        const auto* s = flow_.session();
        const flow::Access want = s ? s->access : flow::Access{};
        if (want == access_) return;
        const bool fonts = want.text_size != access_.text_size || want.easy_font != access_.easy_font;
        if (want.easy_font != access_.easy_font) shaped_.set_latin_font(latin_font_path(want.easy_font));
        access_ = want;
        set_palette(want.high_contrast);
        apply_style(layout_);
        if (fonts) rebuild_fonts();
    }

    // A refused pack's problems go to the log in full (the practitioner screen shows the first).
    void log_shelf() {
        for (const auto& p : shelf_.problems()) std::fprintf(stderr, "sayso: %s\n", p.str().c_str());
        for (const auto& name : shelf_.refused())
            std::fprintf(stderr, "sayso: pack folder %s refused; %s\n", name.c_str(),
                         shelf_.packs().empty() ? "no good pack is installed" : "any earlier good version stays in use");
    }

    // Rescans the packs on a copy of the shelf, off the drawing thread; the
    // copy replaces the shelf between frames if anything changed.
    void request_reload() {
        tasks_.run<std::optional<pack::Shelf>>(
            "reading the survey packs",
            [shelf = shelf_]() mutable -> std::optional<pack::Shelf> {
                if (!shelf.reload()) return std::nullopt;
                return std::move(shelf);
            },
            [this](std::optional<pack::Shelf> fresh) {
                if (fresh) adopt_shelf(std::move(*fresh));
            });
    }

    // Sessions hold their own packs, so the shelf can change under a child
    // answering; which packs an admin took out of use stays as it is now.
    void adopt_shelf(pack::Shelf fresh) {
        auto disabled = shelf_.disabled();
        shelf_ = std::move(fresh);
        shelf_.set_disabled(std::move(disabled));
        log_shelf();
        decode_pack_pictures();
        frames_ = std::max(frames_, 2);
    }

    void decode_pictures_of(const std::vector<std::string>& paths) {
        auto need = textures_.wanted(paths);
        if (need.empty()) return;
        tasks_.run<std::vector<Decoded>>(
            "decoding pictures", [need = std::move(need)] { return decode_pictures(need); },
            [this](std::vector<Decoded> pictures) {
                textures_.add(std::move(pictures));
                frames_ = std::max(frames_, 2);
            });
    }

    void decode_pack_pictures() {
        std::vector<std::string> paths;
        for (const auto& p : shelf_.all())
            for (auto& path : pack_pictures(*p)) paths.push_back(std::move(path));
        decode_pictures_of(paths);
    }

    void refresh_facts() {
        if (!gate_) return;
        tasks_.run<Facts>(
            "reading the PINs", [gate = gate_, store = store_] { return read_facts(gate, store); },
            [this](Facts f) {
                f.checking_pin = facts_.checking_pin;
                facts_ = f;
                frames_ = std::max(frames_, 2);
            });
    }

    // What this frame's taps asked for: the flow's transitions first, in the
    // order tapped, then the slow work, each as a task.
    void apply_intents() {
        Intents now = std::move(intents_);
        intents_ = {};
        for (auto& change : now.flow) change(flow_);
        for (auto& a : now.asks) std::visit([this](auto& x) { handle(std::move(x)); }, a);
    }

    void handle(ask::CheckPin a) {
        if (!gate_ || facts_.checking_pin) return;
        facts_.checking_pin = true;
        const auto role = a.role;
        tasks_.run<access::Gate::Attempt>(
            "checking a PIN",
            [gate = gate_, a = std::move(a)]() mutable {
                auto r = gate->check(a.role, a.pin);
                a.pin.assign(a.pin.size(), '\0');
                return r;
            },
            [this, role](access::Gate::Attempt r) {
                facts_.checking_pin = false;
                pin_checked(role, r);
                refresh_facts();
            });
    }

    void pin_checked(access::Role role, const access::Gate::Attempt& r) {
        const bool admin = role == access::Role::Admin;
        if (r.result == access::Gate::Result::LockedOut) {
            const std::int64_t until = clock_.wall_ms() + r.locked_for_ms;
            (admin ? facts_.admin_locked_until_ms : facts_.practitioner_locked_until_ms) = until;
        }
        // Only the PIN pad that asked takes the answer.
        if (flow_.screen() != (admin ? flow::Screen::AdminPin : flow::Screen::Locked)) return;
        switch (r.result) {
        case access::Gate::Result::Open:
        case access::Gate::Result::NoPin:
            if (!admin) flow_.unlock();
            else if (quit_asked_) quit_ = true;
            else flow_.admin_unlock();
            break;
        case access::Gate::Result::Wrong: pin_message_ = "That PIN isn't right. Try again."; break;
        case access::Gate::Result::LockedOut: break; // the lockout message shows
        case access::Gate::Result::Problem: pin_message_ = r.problem; break;
        }
    }

    void handle(ask::SetPin a) {
        if (!gate_) return;
        facts_.checking_pin = true;
        const auto role = a.role;
        tasks_.run<std::optional<std::string>>(
            "setting a PIN",
            [gate = gate_, a = std::move(a)]() mutable {
                auto r = gate->set_pin(a.role, a.pin);
                a.pin.assign(a.pin.size(), '\0');
                return r;
            },
            [this, role](std::optional<std::string> err) {
                facts_.checking_pin = false;
                if (!err && role == access::Role::Practitioner) flow_.set_locking(true);
                if (flow_.screen() == flow::Screen::Admin) {
                    admin_.message = err ? *err : "The " + std::string(access::role_name(role)) + " PIN is set.";
                    admin_.message_is_problem = err.has_value();
                }
                refresh_facts();
            });
    }

    // In use at once; kept as a setting (a JSON list of pack ids) off the frame.
    void handle(ask::UsePack a) {
        auto ids = shelf_.disabled();
        if (a.in_use) ids.erase(a.id);
        else ids.insert(a.id);
        shelf_.set_disabled(ids);
        tasks_.run<std::optional<std::string>>(
            "keeping which packs are in use",
            [store = store_, json = nlohmann::json(ids).dump()]() -> std::optional<std::string> {
                if (!store) return std::string("The answers file can't be used, so this can't be kept.");
                if (auto p = store->set_setting("disabled_packs", json)) return flow::describe(*p);
                return std::nullopt;
            },
            [this](std::optional<std::string> err) {
                if (!err) return;
                std::fprintf(stderr, "sayso: which packs are in use could not be kept: %s\n", err->c_str());
                if (flow_.screen() != flow::Screen::Admin) return;
                admin_.message = *err + " The change holds until Sayso restarts.";
                admin_.message_is_problem = true;
            });
    }

    struct Installed {
        pack::InstallResult result;
        std::optional<pack::Shelf> shelf; // rescanned after a good install
    };

    // Copied, verified, and the shelf rescanned, off the frame.
    void handle(ask::Install a) {
        tasks_.run<Installed>(
            "installing a pack",
            [folder = std::move(a.folder), shelf = shelf_]() mutable {
                Installed out;
                out.result = pack::install_pack(folder, shelf.root(), shelf.trust());
                if (out.result.ok && shelf.reload()) out.shelf = std::move(shelf);
                return out;
            },
            [this](Installed r) {
                if (r.shelf) adopt_shelf(std::move(*r.shelf));
                if (flow_.screen() != flow::Screen::Admin) return;
                admin_.installing = false;
                admin_.problems.clear();
                for (const auto& p : r.result.problems) admin_.problems.push_back(p.str());
                admin_.message = r.result.message;
                admin_.message_is_problem = !r.result.ok;
                admin_.found.reset(); // look at the sticks again
                admin_.looking = false;
            });
    }

    void handle(ask::LookForPacks) {
        tasks_.run<std::vector<std::filesystem::path>>(
            "looking for pack folders", [roots = o_.import_roots] { return pack::find_pack_folders(roots); },
            [this](std::vector<std::filesystem::path> found) {
                if (flow_.screen() != flow::Screen::Admin || !admin_.looking) return;
                admin_.found = std::move(found);
                admin_.looking = false;
            });
    }

    struct SettingsRead {
        std::string endpoint, words, problem;
        bool enrolled = false;
    };

    // What the settings file says (never the token), for the delivery tab.
    void handle(ask::LoadDeliverySettings) {
        tasks_.run<SettingsRead>(
            "reading the delivery settings",
            [file = delivery_settings_] {
                SettingsRead r;
                std::string ca;
                sync::read_endpoint(file, r.endpoint, ca);
                std::error_code ec;
                if (!std::filesystem::exists(file, ec)) return r;
                auto c = sync::load_config(file, r.problem);
                if (c && !c->token.empty()) {
                    r.enrolled = true;
                    r.words = "Sends to " + c->endpoint + " in batches of up to " + std::to_string(c->batch_size) +
                              ", looking for new answers every " +
                              std::to_string(static_cast<int>(c->interval_seconds)) + " s" +
                              (c->ca_file.empty() ? "" : "; trusts the certificates in " + c->ca_file) + ". " +
                              (c->seal_keys.empty() ? std::string("Answers are not sealed.")
                                                    : "Answers are sealed to key \"" + c->seal_keys.back().id + "\".");
                }
                if (c) r.problem.clear();
                return r;
            },
            [this](SettingsRead r) {
                if (flow_.screen() != flow::Screen::Admin) return;
                admin_.settings_loading = false;
                admin_.settings_loaded = true;
                admin_.enrolled = r.enrolled;
                admin_.settings_words = std::move(r.words);
                admin_.settings_problem = std::move(r.problem);
                if (!admin_.endpoint_loaded) {
                    if (admin_.endpoint.empty()) admin_.endpoint = std::move(r.endpoint);
                    admin_.endpoint_loaded = true;
                }
            });
    }

    struct Enrolled {
        sync::Enrolment enrolment;
        std::string kept_problem; // enrolled, but the settings could not be written
        DeliveryStart start;
    };

    // Enrolment talks to the collector and writes the settings, off the frame.
    void handle(ask::Enrol a) {
        if (enrolling_ || delivery_settings_.empty()) return;
        enrolling_ = true;
        tasks_.run<Enrolled>(
            "enrolling this tablet",
            [a = std::move(a), file = delivery_settings_, settings = o_.sync_config, store = store_] {
                Enrolled out;
                // The CA file stays the settings file's: a council's own CA is set there.
                std::string endpoint, ca;
                sync::read_endpoint(file, endpoint, ca);
                const std::string device = store ? store->device_id() : std::string();
                out.enrolment = sync::enrol(a.endpoint, ca, a.code, device);
                if (!out.enrolment.ok) return out;
                if (auto e = sync::save_enrolment(file, a.endpoint, out.enrolment)) out.kept_problem = *e;
                else out.start = prepare_delivery(settings, store);
                return out;
            },
            [this](Enrolled e) {
                enrolling_ = false;
                const auto& r = e.enrolment;
                std::string words = r.words;
                bool problem = !r.ok;
                if (r.ok && !e.kept_problem.empty()) {
                    words = "Enrolled, but the settings could not be kept: " + e.kept_problem;
                    problem = true;
                } else if (r.ok) {
                    begin_delivery(std::move(e.start));
                    words += r.seal_keys.empty() ? " The collector gave no keys, so answers are not sealed."
                                                 : " Answers are sealed to key \"" + r.seal_keys.back().id + "\".";
                }
                std::fprintf(stderr, "sayso: enrolment: %s\n", words.c_str());
                if (flow_.screen() != flow::Screen::Admin) return;
                if (r.ok && !problem) admin_.code.clear();
                admin_.settings_loaded = false; // read them again
                admin_.message = words;
                admin_.message_is_problem = problem;
            });
    }

    struct Wiped {
        std::string problem;        // nothing was wiped
        std::string forget_problem; // wiped, but the token and keys are still in the settings file
        DeliveryStart start;
    };

    // Delivery stops first, so neither of its connections is open while the
    // answers go; then answers, PINs and settings, then the token and keys.
    void handle(ask::Wipe) {
        if (!store_) return;
        std::shared_ptr<sync::Client> delivering(std::move(client_));
        tasks_.run<Wiped>(
            "wiping the tablet",
            [delivering, store = store_, file = delivery_settings_, settings = o_.sync_config]() mutable {
                delivering.reset(); // waits for its thread to end
                Wiped w;
                if (auto p = store->wipe()) w.problem = flow::describe(*p);
                else if (!file.empty())
                    if (auto e = sync::forget_enrolment(file)) w.forget_problem = *e;
                w.start = prepare_delivery(settings, store);
                return w;
            },
            [this](Wiped w) {
                begin_delivery(std::move(w.start));
                refresh_facts();
                if (w.problem.empty()) {
                    flow_.set_locking(false);
                    shelf_.set_disabled({});
                }
                if (flow_.screen() != flow::Screen::Admin) return;
                admin_.message = !w.problem.empty() ? w.problem
                                 : !w.forget_problem.empty()
                                     ? "Answers and PINs were wiped, but " + w.forget_problem
                                     : "This tablet was wiped: no answers, PINs, settings, token or keys are left on it.";
                admin_.message_is_problem = !w.problem.empty() || !w.forget_problem.empty();
            });
    }

    // The notice is seen to; kept, so it does not come back after a restart.
    void handle(ask::TalkSeen) {
        flow_.acknowledge_talk();
        tasks_.run<std::optional<std::string>>(
            "keeping that the talk notice was seen",
            [store = store_, at = flow_.talk_seen_at()]() -> std::optional<std::string> {
                if (!store) return std::nullopt;
                if (auto p = store->set_setting("talk_seen_at", std::to_string(at))) return flow::describe(*p);
                return std::nullopt;
            },
            [](std::optional<std::string> err) {
                if (err)
                    std::fprintf(stderr, "sayso: the talk notice may come back after a restart: %s\n", err->c_str());
            });
    }

    void handle(ask::Refresh) { refresh_facts(); }

    // Slow work a frame did: fails a replay; logged once in live use.
    void frame_did(const std::vector<std::string>& slow) {
        for (const auto& what : slow) {
            const std::string words = "a frame of the " + current() + " screen waited on " + what +
                                      "; slow work belongs in a task (kiosk/core/tasks)";
            if (o_.replay) {
                if (replay_problem_.empty()) replay_problem_ = words;
            } else if (slow_logged_.insert(what).second) {
                std::fprintf(stderr, "sayso: %s\n", words.c_str());
            }
        }
    }

    void pump() {
        SDL_Event e;
        while (SDL_PollEvent(&e)) input_.queue(e);
    }

    void wait() {
        auto d = flow_.next_deadline();
        int timeout = -1;
        if (d) timeout = static_cast<int>(std::clamp<long long>((*d - clock_.monotonic()).count(), 0, 60'000));
        if (o_.headless) {
            // The dummy driver has no event source to block on and SDL would
            // poll it every millisecond; sleep in short naps instead (250 ms).
            SDL_Delay(static_cast<Uint32>(timeout < 0 ? 250 : std::min(timeout, 250)));
            return;
        }
        SDL_Event e;
        if (timeout < 0 ? SDL_WaitEvent(&e) : SDL_WaitEventTimeout(&e, timeout)) input_.queue(e);
    }

    void other_event(const SDL_Event& e) {
        switch (e.type) {
        case SDL_QUIT: request_quit(); break;
        case SDL_WINDOWEVENT:
            if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) relayout();
            if (e.window.event == SDL_WINDOWEVENT_EXPOSED) frames_ = std::max(frames_, 1);
            break;
        case SDL_TEXTINPUT: flow_.type(e.text.text); break;
        case SDL_USEREVENT: frames_ = std::max(frames_, 1); break; // delivery state changed
        case SDL_KEYDOWN:
            if (e.key.keysym.sym == SDLK_BACKSPACE) flow_.erase();
            else flow_.touch();
            break;
        default: break;
        }
    }

    // One pass of the loop: input, time, and a frame if anything changed.
    void step() {
        pump();
        bool pressed = false;
        if (input_.apply([this](const SDL_Event& e) { other_event(e); }, pressed)) frames_ = std::max(frames_, 2);
        if (pressed) flow_.touch();
        flow_.tick();
        // What the tasks finished since the last pass, applied between frames.
        if (tasks_.deliver() > 0) frames_ = std::max(frames_, 2);
        if (flow_.version() != drawn_version_) frames_ = std::max(frames_, 2);
        if (frames_ > 0 || animating()) {
            draw(nullptr);
            if (frames_ > 0) --frames_;
        }
    }

    // Runs frames until input is consumed and the screen is up to date.
    // A replay also waits for the tasks the taps asked for (a PIN check, an
    // install, an enrolment), as a person would; a task that hangs fails it.
    void settle() {
        for (int round = 0; round < 100; ++round) {
            step(); // at least once, so the flow sees the time that passed
            for (int i = 0; i < 64 && (!input_.idle() || frames_ > 0 || SDL_HasEvents(SDL_FIRSTEVENT, SDL_LASTEVENT));
                 ++i)
                step();
            if (!tasks_.busy()) return;
            if (!tasks_.wait_done(std::chrono::seconds(60))) {
                if (replay_problem_.empty()) replay_problem_ = "a task was still running after 60 s";
                return;
            }
        }
    }

    // Delivery runs on its own thread with its own connection to the database;
    // started here, and again after the tablet is enrolled or wiped.
    void begin_delivery(DeliveryStart start) {
        client_.reset();
        delivery_problem_ = std::move(start.problem);
        for (const auto& line : start.log) std::fprintf(stderr, "sayso: %s\n", line.c_str());
        if (!start.config) return;
        static const Uint32 changed = SDL_USEREVENT;
        client_ = std::make_unique<sync::Client>(o_.db, *start.config, [] {
            SDL_Event e{};
            e.type = changed;
            SDL_PushEvent(&e); // thread-safe: wakes the main loop to redraw
        });
    }

    void on_screen_change() {
        const auto s = flow_.screen();
        if (s == last_screen_) return;
        last_screen_ = s;
        screen_since_ = clock_.monotonic();
        // Pack changes are picked up between children, never during a session.
        if (s == flow::Screen::Practitioner || s == flow::Screen::Locked) request_reload();
        // The PINs, their lockouts and what is waiting, for the screens that show them.
        if (s == flow::Screen::Practitioner || s == flow::Screen::Locked || s == flow::Screen::AdminPin ||
            s == flow::Screen::Admin)
            refresh_facts();
        if (s != flow::Screen::Locked && s != flow::Screen::AdminPin) {
            pin_entry_.clear();
            pin_message_.clear();
        }
        if (s != flow::Screen::Admin) admin_ = AdminState{};
        if (s != flow::Screen::AdminPin && s != flow::Screen::Admin) quit_asked_ = false;
        editing_.clear();
        // A session just ended: its response is in the outbox now.
        if (client_ && (s == flow::Screen::Thanks || s == flow::Screen::Practitioner || s == flow::Screen::Locked))
            client_->wake();
    }

    // A new screen, question or language stops the last clip; bands for
    // children who can't read yet hear each screen as it appears.
    void update_read_aloud() {
        const auto* s = flow_.session();
        const auto screen = flow_.screen();
        std::string now = flow::screen_name(screen);
        if (s) now += "|" + std::to_string(s->index) + "|" + s->language;
        if (now == spoken_) return;
        spoken_ = now;
        speaker_.stop();
        if (!s || !s->band->auto_read) return;
        if (screen == flow::Screen::Welcome) speaker_.say(welcome_speech(*s));
        else if (screen == flow::Screen::Question) speaker_.say(question_speech(*s));
    }

    void update_text_input() {
        const auto* s = flow_.session();
        const bool want = flow_.screen() == flow::Screen::Question && s &&
                          s->question().kind == pack::Kind::FreeText;
        if (want != text_input_) {
            if (want) SDL_StartTextInput();
            else SDL_StopTextInput();
            text_input_ = want;
        }
    }

    // Draws a frame; with `capture`, writes it there first. False if the capture failed.
    bool draw(const std::filesystem::path* capture) {
        const auto t0 = Clock::now();
        on_screen_change();
        apply_access();
        update_read_aloud();
        update_text_input();
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(layout_.width, layout_.height);
        const auto now = clock_.monotonic();
        io.DeltaTime = std::clamp(static_cast<float>((now - last_frame_).count()) / 1000.0f, 0.001f, 0.1f);
        last_frame_ = now;
        ImGui_ImplSDLRenderer_NewFrame();
        ImGui::NewFrame();
        widgets_.clear();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(io.DisplaySize);
        ImGui::Begin("screen", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                         ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
        ImGui::PushFont(fonts_.body);
        const std::uint64_t version_before = flow_.version();
        shaped_.set_language(flow_.session() ? flow_.session()->language : std::string("en"));
        std::optional<sync::Status> delivery;
        if (client_) delivery = client_->status();
        std::optional<DeliveryView> shown;
        if (delivery)
            shown = DeliveryView{.waiting = delivery->waiting,
                                 .refused = delivery->refused,
                                 .last_delivery_ms = delivery->last_delivery_ms,
                                 .problem = delivery->problem == sync::Status::Problem::None
                                                ? std::string()
                                                : sync::describe(delivery->problem),
                                 .rounds = delivery->rounds};
        // Changes in delivery problems go to the log too, for whoever looks after the tablet.
        const auto problem = delivery ? delivery->problem : sync::Status::Problem::None;
        if (problem != logged_problem_) {
            logged_problem_ = problem;
            if (problem != sync::Status::Problem::None)
                std::fprintf(stderr, "sayso: delivery: %s\n", sync::describe(problem).c_str());
        }
        const std::int64_t refused = delivery ? delivery->refused : 0;
        if (refused != logged_refused_) {
            logged_refused_ = refused;
            if (refused > 0)
                std::fprintf(stderr,
                             "sayso: delivery: %lld response(s) refused by the server, kept on this tablet and not sent"
                             " again; the latest because: %s\n",
                             static_cast<long long>(refused), delivery->refusal.c_str());
        }
        // So do answers that can't be saved: the screen shows them, the log keeps them.
        const auto& unsaved = flow_.storage_problem();
        const std::string storage_now = unsaved ? unsaved->detail : std::string();
        if (storage_now != logged_storage_) {
            if (unsaved && flow_.unsaved() > 0)
                std::fprintf(stderr, "sayso: %zu change(s) not saved yet, held until they can be: %s (%s)\n",
                             flow_.unsaved(), flow::describe(*unsaved).c_str(), unsaved->detail.c_str());
            else if (unsaved)
                std::fprintf(stderr, "sayso: %s (%s)\n", flow::describe(*unsaved).c_str(), unsaved->detail.c_str());
            else
                std::fprintf(stderr, "sayso: answers are being saved again\n");
            logged_storage_ = storage_now;
        }
        facts_.sealing = store_ && store_->sealing();
        admin_.enrolling = enrolling_;
        Ui ui{.flow = flow_,
              .shelf = shelf_,
              .textures = textures_,
              .widgets = widgets_,
              .layout = layout_,
              .fonts = fonts_,
              .facts = facts_,
              .storage_problem = storage_problem_,
              .delivery = shown ? &*shown : nullptr,
              .delivery_problem = delivery_problem_,
              .delivery_settings = delivery_settings_,
              .import_roots = o_.import_roots,
              .now = now,
              .screen_since = screen_since_,
              .wall_ms = clock_.wall_ms(),
              .speaker = &speaker_,
              .pin_entry = pin_entry_,
              .pin_message = pin_message_,
              .editing = editing_,
              .admin = admin_,
              .quit_asked = quit_asked_,
              .intents = intents_};
        {
            // Only the screens are guarded: what runs between frames may wait.
            tasks::DrawingFrame frame;
            switch (flow_.screen()) {
            case flow::Screen::Locked:
            case flow::Screen::AdminPin: draw_pin_pad(ui); break;
            case flow::Screen::Admin: draw_admin(ui); break;
            case flow::Screen::Practitioner: draw_practitioner(ui); break;
            case flow::Screen::Welcome: draw_welcome(ui); break;
            case flow::Screen::Question: draw_question(ui); break;
            case flow::Screen::StillThere: draw_still_there(ui); break;
            case flow::Screen::Thanks: draw_thanks(ui); break;
            }
            frame_did(frame.caught());
        }
        ImGui::PopFont();
        ImGui::End();
        ImGui::Render();
        const auto bg = colour::background;
        SDL_SetRenderDrawColor(renderer_, bg & 0xFF, (bg >> 8) & 0xFF, (bg >> 16) & 0xFF, 255);
        SDL_RenderClear(renderer_);
        ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
        bool captured = true;
        if (capture) captured = write_png(*capture);
        SDL_RenderPresent(renderer_);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (frame_ms_.empty()) first_frame_ms_ = std::chrono::duration<double, std::milli>(Clock::now() - o_.started).count();
        frame_ms_.push_back(ms);
        // Between frames: what was tapped. A tap that changed the state draws it again.
        apply_intents();
        drawn_version_ = flow_.version() == version_before ? flow_.version() : ~0ull;
        return captured;
    }

    bool write_png(const std::filesystem::path& file) {
        int w = 0, h = 0;
        SDL_GetRendererOutputSize(renderer_, &w, &h);
        std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
        if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ABGR8888, pixels.data(), w * 4) != 0) return false;
        std::error_code ec;
        std::filesystem::create_directories(file.parent_path(), ec);
        stbi_write_png_compression_level = 2; // fast; screenshots are for looking at, not archiving
        return stbi_write_png(file.c_str(), w, h, 4, pixels.data(), w * 4) != 0;
    }

    bool shot(const std::string& name) {
        const auto file = o_.shots / (name + ".png");
        return draw(&file);
    }

    void push_tap(ImVec2 at) {
        const Uint32 window = SDL_GetWindowID(window_);
        SDL_Event e{};
        e.type = SDL_MOUSEMOTION;
        e.motion.windowID = window;
        e.motion.x = static_cast<Sint32>(at.x);
        e.motion.y = static_cast<Sint32>(at.y);
        SDL_PushEvent(&e);
        for (Uint32 type : {Uint32(SDL_MOUSEBUTTONDOWN), Uint32(SDL_MOUSEBUTTONUP)}) {
            SDL_Event b{};
            b.type = type;
            b.button.windowID = window;
            b.button.button = SDL_BUTTON_LEFT;
            b.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
            b.button.clicks = 1;
            b.button.x = static_cast<Sint32>(at.x);
            b.button.y = static_cast<Sint32>(at.y);
            SDL_PushEvent(&b);
        }
    }

    void push_text(const std::string& text) {
        // SDL carries at most 31 bytes of text per event; split on code points.
        std::size_t i = 0;
        while (i < text.size()) {
            std::size_t n = std::min<std::size_t>(text.size() - i, SDL_TEXTINPUTEVENT_TEXT_SIZE - 1);
            while (n > 0 && i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) --n;
            if (n == 0) break;
            SDL_Event e{};
            e.type = SDL_TEXTINPUT;
            e.text.windowID = SDL_GetWindowID(window_);
            text.copy(e.text.text, n, i);
            e.text.text[n] = '\0';
            SDL_PushEvent(&e);
            i += n;
        }
    }

    void write_timings() {
        if (!o_.timings) return;
        std::ofstream out(*o_.timings);
        out << "{\"first_frame_ms\": " << first_frame_ms_ << ", \"frame_ms\": [";
        for (std::size_t i = 0; i < frame_ms_.size(); ++i) out << (i ? ", " : "") << frame_ms_[i];
        out << "]}\n";
    }
};

} // namespace

int run(const Options& o) {
    if (o.headless) {
        // No sound either, unless asked for (tests use SDL's disk driver to hear it).
        SDL_setenv("SDL_AUDIODRIVER", "dummy", 0);
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    }
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        std::fprintf(stderr, "sayso: can't start the display: %s\n", SDL_GetError());
        return kExitStartup;
    }
    Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
    if (o.headless) flags |= SDL_WINDOW_HIDDEN;
    else if (o.fullscreen) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    else flags |= SDL_WINDOW_RESIZABLE;
    std::unique_ptr<SDL_Window, SdlDeleter> window(
        SDL_CreateWindow("Sayso", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o.width, o.height, flags));
    if (!window) {
        std::fprintf(stderr, "sayso: can't open a window: %s\n", SDL_GetError());
        SDL_Quit();
        return kExitStartup;
    }
    std::unique_ptr<SDL_Renderer, SdlDeleter> renderer(
        SDL_CreateRenderer(window.get(), -1, o.headless ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED));
    if (!renderer) renderer.reset(SDL_CreateRenderer(window.get(), -1, SDL_RENDERER_SOFTWARE));
    if (!renderer) {
        std::fprintf(stderr, "sayso: can't draw to the window: %s\n", SDL_GetError());
        window.reset();
        SDL_Quit();
        return kExitStartup;
    }

    Script script;
    if (o.replay) {
        script = load_script(*o.replay);
        if (!script.error.empty()) {
            std::fprintf(stderr, "sayso: replay %s: %s\n", o.replay->c_str(), script.error.c_str());
            renderer.reset();
            window.reset();
            SDL_Quit();
            return kExitUsage;
        }
    }

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // a kiosk keeps no window state on disk
    io.LogFilename = nullptr;
    ImGui_ImplSDLRenderer_Init(renderer.get());

    std::optional<flow::StorageProblem> problem;
    auto store = storage::Store::open(o.db, problem);
    std::unique_ptr<flow::Recorder> unavailable;
    std::string storage_words;
    if (store) {
        int closed = 0;
        if (auto p = store->close_abandoned(closed)) std::fprintf(stderr, "sayso: %s\n", p->detail.c_str());
        else if (closed > 0)
            std::fprintf(stderr, "sayso: %d response(s) interrupted last time were kept and marked incomplete\n", closed);
    } else {
        storage_words = flow::describe(*problem);
        std::fprintf(stderr, "sayso: %s (%s)\n", storage_words.c_str(), problem->detail.c_str());
        unavailable = std::make_unique<Unavailable>(*problem);
    }
    flow::Recorder& recorder = store ? static_cast<flow::Recorder&>(*store) : *unavailable;

    std::unique_ptr<access::Gate> gate;

    int code = kExitOk;
    {
        flow::SystemClock system_clock;
        flow::ManualClock manual_clock;
        const flow::Clock& clock = o.replay ? static_cast<const flow::Clock&>(manual_clock) : system_clock;
        if (store) gate = std::make_unique<access::Gate>(*store, clock);
        Kiosk kiosk(o, clock, recorder, storage_words, gate.get(), store.get(), window.get(), renderer.get());
        code = o.replay ? kiosk.replay(script, manual_clock) : kiosk.live();
    }

    ImGui_ImplSDLRenderer_Shutdown();
    ImGui::DestroyContext();
    renderer.reset();
    window.reset();
    SDL_Quit();
    return code;
}

} // namespace sayso::ui
