#include "app.hpp"

#include "formats/formats.hpp"
#include "input.hpp"
#include "layout.hpp"
#include "pack/shelf.hpp"
#include "replay.hpp"
#include "screens/screens.hpp"
#include "shaped_text.hpp"
#include "speaker.hpp"
#include "storage/store.hpp"
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
#include <future>
#include <memory>
#include <set>
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
        load_settings();
        start_delivery();
        if (!speaker_.available()) std::fprintf(stderr, "sayso: read-aloud is off: %s\n", speaker_.problem().c_str());
        for (const auto& p : shaped_.problems()) std::fprintf(stderr, "sayso: %s\n", p.c_str());
        // With a practitioner PIN set, the kiosk starts on the PIN pad and returns to it after each child.
        if (gate_ && gate_->has_pin(access::Role::Practitioner)) {
            flow_.set_locking(true);
            flow_.lock();
            last_screen_ = flow::Screen::Locked;
        }
        reload_packs();
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
    std::future<sync::Enrolment> enrolling_; // an enrolment under way (the admin screen)
    std::string enrolling_endpoint_;
    sync::Status::Problem logged_problem_ = sync::Status::Problem::None;
    std::int64_t logged_refused_ = 0;
    std::string logged_storage_; // detail of the storage problem last logged; empty: none
    access::Gate* gate_;
    storage::Store* store_; // null when the answers file could not be opened
    std::string pin_entry_, pin_message_;
    std::string editing_; // practitioner screen: the field being typed
    AdminState admin_;
    bool quit_asked_ = false, quit_now_ = false;
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
        if (s == flow::Screen::Admin || !gate_ || !gate_->has_pin(access::Role::Admin)) {
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

    // Rescans the packs; a refused pack's problems go to the log in full
    // (the practitioner screen shows the first).
    void reload_packs() {
        if (!shelf_.reload()) return;
        for (const auto& p : shelf_.problems()) std::fprintf(stderr, "sayso: %s\n", p.str().c_str());
        for (const auto& name : shelf_.refused())
            std::fprintf(stderr, "sayso: pack folder %s refused; %s\n", name.c_str(),
                         shelf_.packs().empty() ? "no good pack is installed" : "any earlier good version stays in use");
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
        if (flow_.version() != drawn_version_) frames_ = std::max(frames_, 2);
        update_enrolment();
        if (frames_ > 0 || animating()) {
            draw(nullptr);
            if (frames_ > 0) --frames_;
        }
        update_wipe();
        update_enrolment();
    }

    // Runs frames until input is consumed and the screen is up to date.
    void settle() {
        step(); // at least once, so the flow sees the time that passed
        for (int i = 0; i < 64 && (!input_.idle() || frames_ > 0 || SDL_HasEvents(SDL_FIRSTEVENT, SDL_LASTEVENT)); ++i)
            step();
        // A replay waits for an enrolment to finish, as a person would.
        if (enrolling_.valid()) {
            enrolling_.wait();
            settle();
        }
    }

    // Delivery runs on its own thread with its own connection to the database;
    // started here, and again after the tablet is enrolled or wiped.
    void start_delivery() {
        client_.reset();
        delivery_problem_.clear();
        if (!o_.sync_config || !store_) return;
        store_->clear_seal_key();
        std::string err;
        auto conf = sync::load_config(*o_.sync_config, err);
        if (!conf) {
            // No file at all is "not set up"; a file with a mistake is a problem to show.
            std::error_code ec;
            if (std::filesystem::exists(*o_.sync_config, ec)) {
                delivery_problem_ = err;
                std::fprintf(stderr, "sayso: delivery is off: %s\n", err.c_str());
            }
            return;
        }
        // Answers are sealed to the collector's newest key before they are written.
        if (!conf->seal_keys.empty()) {
            const auto& k = conf->seal_keys.back();
            if (auto e = store_->set_seal_key(k.id, k.public_key)) std::fprintf(stderr, "sayso: %s\n", e->c_str());
        }
        if (conf->token.empty()) {
            std::fprintf(stderr, "sayso: this tablet is not enrolled yet (no token in %s)\n", o_.sync_config->c_str());
            return;
        }
        if (conf->seal_keys.empty())
            std::fprintf(stderr, "sayso: answers are not sealed: %s gives no seal_keys\n", o_.sync_config->c_str());
        static const Uint32 changed = SDL_USEREVENT;
        client_ = std::make_unique<sync::Client>(o_.db, *conf, [] {
            SDL_Event e{};
            e.type = changed;
            SDL_PushEvent(&e); // thread-safe: wakes the main loop to redraw
        });
    }

    // Enrolment talks to the collector off the UI thread; the admin screen
    // asks for it, and its outcome is kept here when it comes.
    void update_enrolment() {
        if (admin_.enrol_asked && !enrolling_.valid()) {
            admin_.enrol_asked = false;
            std::string endpoint, ca;
            sync::read_endpoint(delivery_settings_, endpoint, ca);
            enrolling_endpoint_ = admin_.endpoint;
            const std::string device = store_ ? store_->device_id() : std::string();
            const std::string code = admin_.code;
            // The CA file stays the settings file's: a council's own CA is set there.
            enrolling_ = std::async(std::launch::async, [endpoint = admin_.endpoint, ca_file = ca, code, device] {
                auto r = sync::enrol(endpoint, ca_file, code, device);
                SDL_Event e{};
                e.type = SDL_USEREVENT;
                SDL_PushEvent(&e);
                return r;
            });
        }
        admin_.enrolling = enrolling_.valid();
        if (!enrolling_.valid() || enrolling_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
        const sync::Enrolment r = enrolling_.get();
        admin_.enrolling = false;
        std::string words = r.words;
        bool problem = !r.ok;
        if (r.ok) {
            if (auto e = sync::save_enrolment(delivery_settings_, enrolling_endpoint_, r)) {
                words = "Enrolled, but the settings could not be kept: " + *e;
                problem = true;
            } else {
                start_delivery();
                words += r.seal_keys.empty() ? " The collector gave no keys, so answers are not sealed."
                                             : " Answers are sealed to key \"" + r.seal_keys.back().id + "\".";
                admin_.code.clear();
            }
        }
        std::fprintf(stderr, "sayso: enrolment: %s\n", words.c_str());
        admin_.message = words;
        admin_.message_is_problem = problem;
        frames_ = std::max(frames_, 2);
    }

    // After a wipe: the tablet forgets its token and keys, and stops delivering.
    void update_wipe() {
        if (!admin_.wiped) return;
        admin_.wiped = false;
        client_.reset();
        if (!delivery_settings_.empty())
            if (auto e = sync::forget_enrolment(delivery_settings_)) {
                admin_.message = "Answers and PINs were wiped, but " + *e;
                admin_.message_is_problem = true;
            }
        start_delivery();
    }

    void on_screen_change() {
        const auto s = flow_.screen();
        if (s == last_screen_) return;
        last_screen_ = s;
        screen_since_ = clock_.monotonic();
        // Pack changes are picked up between children, never during a session.
        if (s == flow::Screen::Practitioner || s == flow::Screen::Locked) reload_packs();
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
        Ui ui{flow_,           shelf_,
              textures_,       widgets_,
              layout_,         fonts_,
              storage_problem_, delivery ? &*delivery : nullptr,
              delivery_problem_, gate_,
              pin_entry_,      pin_message_,
              now,             screen_since_,
              &speaker_,       editing_,
              admin_,          store_,
              o_.import_roots, delivery_settings_,
              quit_asked_,     quit_now_};
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
        ImGui::PopFont();
        ImGui::End();
        ImGui::Render();
        if (quit_now_) quit_ = true;
        const auto bg = colour::background;
        SDL_SetRenderDrawColor(renderer_, bg & 0xFF, (bg >> 8) & 0xFF, (bg >> 16) & 0xFF, 255);
        SDL_RenderClear(renderer_);
        ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
        bool captured = true;
        if (capture) captured = write_png(*capture);
        SDL_RenderPresent(renderer_);
        // A tap handled in this frame changed the state: draw it again.
        drawn_version_ = flow_.version() == version_before ? flow_.version() : ~0ull;
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (frame_ms_.empty()) first_frame_ms_ = std::chrono::duration<double, std::milli>(Clock::now() - o_.started).count();
        frame_ms_.push_back(ms);
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
