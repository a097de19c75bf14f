#include "kiosk.hpp"

#include "png/png.hpp"
#include "raster.hpp"
#include "tasks/frame_guard.hpp"

#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace sayso::ui {

using Clock = std::chrono::steady_clock;

namespace {

// This process's proportional set size (its share of shared pages), KiB; -1 where procfs can't say.
long proportional_memory_kib() {
    std::ifstream in("/proc/self/smaps_rollup");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("Pss:", 0) == 0) return std::strtol(line.c_str() + 4, nullptr, 10);
    return -1;
}

} // namespace

Kiosk::Kiosk(const Options& o, const flow::Clock& clock, flow::Recorder& recorder, std::string storage_problem,
             access::Gate* gate, storage::Store* store, SDL_Window* window, SDL_Renderer* renderer)
    : o_(o), clock_(clock), window_(window), renderer_(renderer), gate_(gate), store_(store),
      storage_problem_(std::move(storage_problem)), flow_(clock, recorder, o.settings), shelf_(o.packs, o.trust),
      textures_(renderer, o.assets), shapes_(renderer), look_(window, renderer, o.dpi, o.headless),
      delivery_(o.db, clock), settings_file_(o.sync_config ? o.sync_config->string() : std::string()) {
    // Before the first frame: what the kiosk needs to know to show it.
    actions_.load_settings();
    delivery_.start(prepare_delivery(o_.sync_config, store_));
    // With a practitioner PIN set, the kiosk starts on the PIN pad and returns to it after each child.
    if (facts_.pins.practitioner) {
        flow_.set_locking(true);
        flow_.lock();
        last_screen_ = flow::Screen::Locked;
    }
    if (shelf_.reload()) actions_.log_shelf();
    // The pictures are decoded off the drawing thread; a frame before they
    // come draws the tiles without them.
    actions_.decode(asset_pictures(o_.assets));
    actions_.decode_pack_pictures();
    relayout();
    screen_since_ = clock_.monotonic();
}

Kiosk::~Kiosk() {
    write_timings();
    if (canvas_) SDL_DestroyTexture(canvas_);
}

Picture Kiosk::canvas_picture() {
    const draw::Drawing* d = flow_.drawing();
    if (!d) return {};
    constexpr int w = draw::Drawing::kWidth, h = draw::Drawing::kHeight;
    if (!canvas_) {
        canvas_ = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STREAMING, w, h);
        if (!canvas_) {
            std::fprintf(stderr, "sayso: can't show a drawing: %s\n", SDL_GetError());
            return {};
        }
        SDL_SetTextureUserData(canvas_, kScaledCopies);
        SDL_SetTextureScaleMode(canvas_, SDL_ScaleModeLinear);
        canvas_from_ = 0;
    }
    // By its serial, not its address: the next child's drawing may be made where this one was.
    if (d->serial() != canvas_from_ || d->version() != canvas_version_) {
        // The whole canvas: 3 MiB copied, about a millisecond, once per change.
        SDL_UpdateTexture(canvas_, nullptr, d->pixels().data(), w * 4);
        canvas_from_ = d->serial();
        canvas_version_ = d->version();
    }
    return {.texture = canvas_, .w = w, .h = h};
}

int Kiosk::live() {
    while (!quit_) {
        pump();
        if (input_.idle() && frames_ == 0 && !animating()) wait();
        step();
    }
    return kExitOk;
}

std::string Kiosk::current() const {
    std::string s = flow::screen_name(flow_.screen());
    if (flow_.screen() == flow::Screen::Question) s += " (question:" + flow_.session()->question().id + ")";
    return s;
}

bool Kiosk::matches(const std::string& want) const {
    const std::string name = flow::screen_name(flow_.screen());
    if (want == name) return true;
    return flow_.screen() == flow::Screen::Question && want == "question:" + flow_.session()->question().id;
}

bool Kiosk::animating() const {
    if (flow_.session() && flow_.session()->access.less_motion) return false;
    // A confirmation held while the child reads that their worker will talk with them is not animating.
    if (!flow_.confirming().empty() && flow_.screen() == flow::Screen::Question) return true;
    return flow_.screen() == flow::Screen::Thanks && clock_.monotonic() - screen_since_ < flow::Millis(1900);
}

void Kiosk::relayout() {
    look_.relayout();
    input_.set_area(look_.layout().width, look_.layout().height);
    frames_ = 2;
    must_show_ = true;
}

// Closing the window or the quit keys: never during a child's session, and
// only with the admin PIN when there is one.
void Kiosk::request_quit() {
    const auto s = flow_.screen();
    if (s == flow::Screen::Welcome || s == flow::Screen::Intro || s == flow::Screen::Question ||
        s == flow::Screen::Talk || s == flow::Screen::StillThere || s == flow::Screen::Thanks ||
        s == flow::Screen::NextChild) {
        std::fprintf(stderr, "sayso: not closing during a child's session\n");
        return;
    }
    if (s == flow::Screen::Admin || !facts_.pins.admin) {
        quit_ = true;
        return;
    }
    held_.quit_asked = true;
    if (s != flow::Screen::AdminPin) flow_.open_admin(true);
    frames_ = std::max(frames_, 2);
}

void Kiosk::pump() {
    SDL_Event e;
    while (SDL_PollEvent(&e))
        input_.queue(e);
}

void Kiosk::wait() {
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

void Kiosk::other_event(const SDL_Event& e) {
    switch (e.type) {
    case SDL_QUIT: request_quit(); break;
    case SDL_WINDOWEVENT:
        if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) relayout();
        if (e.window.event == SDL_WINDOWEVENT_EXPOSED) {
            frames_ = std::max(frames_, 1);
            must_show_ = true;
        }
        break;
    case SDL_TEXTINPUT: flow_.type(e.text.text); break;
    case SDL_USEREVENT: // delivery state changed; a finished task draws once it is delivered, samples once heard (step)
        if (e.user.code != kTaskDone && e.user.code != kHeard) frames_ = std::max(frames_, 1);
        break;
    case SDL_AUDIODEVICEADDED:
    case SDL_AUDIODEVICEREMOVED:
        if (!e.adevice.iscapture) break;
        // The microphone in use went: the recording stops with what was heard, and the question says why.
        if (mic_.lost(e.adevice.which)) flow_.stop_recording();
        mic_.devices_changed();
        break;
    case SDL_KEYDOWN:
        if (e.key.keysym.sym == SDLK_BACKSPACE)
            flow_.erase();
        else
            flow_.touch();
        break;
    default: break;
    }
}

// One pass of the loop: input, time, what the tasks finished, and a frame if anything changed.
void Kiosk::step() {
    pump();
    bool pressed = false;
    if (input_.apply([this](const SDL_Event& e) { other_event(e); }, pressed)) frames_ = std::max(frames_, 2);
    if (pressed) flow_.touch();
    follow_microphone();
    flow_.tick();
    if (tasks_.deliver() > 0) frames_ = std::max(frames_, 1);
    if (flow_.version() != drawn_version_) frames_ = std::max(frames_, 2);
    if (frames_ > 0 || animating()) {
        draw(nullptr);
        if (frames_ > 0) --frames_;
    }
}

void Kiosk::settle() {
    for (int round = 0; round < 100; ++round) {
        step(); // at least once, so the flow sees the time that passed
        for (int i = 0; i < 64 && (!input_.idle() || frames_ > 0 || SDL_HasEvents(SDL_FIRSTEVENT, SDL_LASTEVENT)); ++i)
            step();
        if (!tasks_.busy()) return;
        if (!tasks_.wait_done(std::chrono::seconds(60))) {
            if (replay_problem_.empty()) replay_problem_ = "a task was still running after 60 s";
            return;
        }
    }
}

void Kiosk::on_screen_change() {
    const auto s = flow_.screen();
    if (s == last_screen_) return;
    last_screen_ = s;
    screen_since_ = clock_.monotonic();
    // Pack changes are picked up between children, never during a session.
    if (s == flow::Screen::Practitioner || s == flow::Screen::Locked) actions_.reload_packs();
    // The PINs, their lockouts and what is waiting, for the screens that show them.
    if (s == flow::Screen::Practitioner || s == flow::Screen::Locked || s == flow::Screen::AdminPin ||
        s == flow::Screen::Admin)
        actions_.refresh_facts();
    if (s != flow::Screen::Locked && s != flow::Screen::AdminPin) {
        held_.pin_entry.clear();
        held_.pin_message.clear();
    }
    if (s != flow::Screen::Admin) held_.admin = AdminState{};
    if (s != flow::Screen::AdminPin && s != flow::Screen::Admin) held_.quit_asked = false;
    held_.editing.clear();
    // A session just ended: its response is in the outbox now.
    if (s == flow::Screen::Thanks || s == flow::Screen::Practitioner || s == flow::Screen::Locked) delivery_.wake();
}

void Kiosk::feed_microphone() {
    if (!mic_.open()) return;
    const auto heard = mic_.take();
    if (!heard.empty()) flow_.heard(heard.data(), heard.size());
}

void Kiosk::follow_microphone() {
    if (flow_.recording() && !mic_.open()) {
        voice_.speaker().stop(); // the tablet's own voice is not the child's
        if (!mic_.start()) {
            std::fprintf(stderr, "sayso: can't record: %s\n", mic_.problem().c_str());
            flow_.stop_recording(); // nothing heard: the question says there is no microphone
        }
    }
    if (mic_.open()) {
        feed_microphone();
        if (!flow_.recording()) mic_.stop();
    }
    if (facts_.microphone != mic_.available()) {
        facts_.microphone = mic_.available();
        frames_ = std::max(frames_, 2);
    }
}

void Kiosk::update_text_input() {
    const auto* s = flow_.session();
    const bool want = flow_.screen() == flow::Screen::Question && s && s->question().kind == pack::Kind::FreeText;
    if (want != text_input_) {
        if (want)
            SDL_StartTextInput();
        else
            SDL_StopTextInput();
        text_input_ = want;
    }
}

// Slow work a frame did: fails a replay; logged once in live use.
void Kiosk::frame_did(const std::vector<std::string>& slow) {
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

// Draws a frame; with `capture`, writes it there first. False if the capture failed.
bool Kiosk::draw(const std::filesystem::path* capture) {
    const auto t0 = Clock::now();
    on_screen_change();
    // The child's text size, contrast and font; the practitioner's screens use the defaults.
    if (look_.apply(flow_.session() ? flow_.session()->access : flow::Access{})) frames_ = std::max(frames_, 2);
    voice_.follow(flow_);
    update_text_input();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(look_.layout().width, look_.layout().height);
    const auto now = clock_.monotonic();
    io.DeltaTime = std::clamp(static_cast<float>((now - last_frame_).count()) / 1000.0f, 0.001f, 0.1f);
    last_frame_ = now;
    ImGui_ImplSDLRenderer_NewFrame();
    ImGui::NewFrame();
    widgets_.clear();
    widgets_.set_time(current(), now);
    shapes_.next_frame();
    widgets_.set_look(look_.colours(), &look_.shaped(), &shapes_);
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("screen", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PushFont(look_.fonts().body);
    const std::uint64_t version_before = flow_.version();
    look_.set_language(flow_.session() ? flow_.session()->language : std::string("en"));
    const std::optional<DeliveryView> delivery = delivery_.view();
    const auto we_did = delivery_.we_did();
    // Answers that can't be saved: the screen shows them, the log keeps them.
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
    held_.admin.enrolling = actions_.enrolling();
    Ui ui{.flow = flow_,
          .shelf = shelf_,
          .textures = textures_,
          .widgets = widgets_,
          .layout = look_.layout(),
          .fonts = look_.fonts(),
          .facts = facts_,
          .storage_problem = storage_problem_,
          .delivery = delivery ? &*delivery : nullptr,
          .delivery_problem = delivery_.problem(),
          .delivery_settings = settings_file_,
          .we_did = we_did.get(),
          .import_roots = o_.import_roots,
          .now = now,
          .screen_since = screen_since_,
          .wall_ms = clock_.wall_ms(),
          .speaker = &voice_.speaker(),
          .canvas = canvas_picture(),
          .held = held_,
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
        case flow::Screen::Intro: draw_intro(ui); break;
        case flow::Screen::Talk: draw_talk(ui); break;
        case flow::Screen::Question: draw_question(ui); break;
        case flow::Screen::StillThere: draw_still_there(ui); break;
        case flow::Screen::Thanks: draw_thanks(ui); break;
        case flow::Screen::NextChild: draw_next_child(ui); break;
        }
        frame_did(frame.caught());
    }
    ImGui::PopFont();
    ImGui::End();
    ImGui::Render();
    // What was tapped, before the frame is put on the screen: a tap that
    // changed the state makes this frame stale, and the next one shows the
    // change (a tap costs one frame on the screen, not two).
    const std::string drawn_screen = o_.timings ? current() : std::string();
    Intents tapped = std::move(intents_);
    intents_ = {};
    // What the microphone heard up to the tap, before a tap on stop ends the recording.
    if (!tapped.empty()) feed_microphone();
    actions_.apply(std::move(tapped));
    const bool stale = flow_.version() != version_before;
    drawn_version_ = stale ? ~0ull : flow_.version();
    const std::uint64_t hash = draw_data_hash(ImGui::GetDrawData(), flow_.version() ^ look_.colours().background);
    bool captured = true;
    if (capture || must_show_ || (!stale && hash != shown_hash_)) {
        const auto bg = look_.colours().background;
        SDL_SetRenderDrawColor(renderer_, bg & 0xFF, (bg >> 8) & 0xFF, (bg >> 16) & 0xFF, 255);
        SDL_RenderClear(renderer_);
        render_draw_data(renderer_, ImGui::GetDrawData());
        if (capture) captured = write_png(*capture);
        SDL_RenderPresent(renderer_);
        shown_hash_ = hash;
        must_show_ = false;
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        const double since_start = std::chrono::duration<double, std::milli>(Clock::now() - o_.started).count();
        if (frame_ms_.empty()) first_frame_ms_ = since_start;
        frame_ms_.push_back(ms);
        if (o_.timings && (shown_.empty() || shown_.back().screen != drawn_screen))
            shown_.push_back({drawn_screen, since_start, proportional_memory_kib()});
    } else {
        ++(stale ? stale_ : unchanged_);
    }
    return captured;
}

bool Kiosk::shot(const std::filesystem::path& file) {
    return draw(&file);
}

bool Kiosk::write_png(const std::filesystem::path& file) {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_, &w, &h);
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
    if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ABGR8888, pixels.data(), w * 4) != 0) return false;
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    // Fast: screenshots are for looking at, not archiving.
    const auto written = png::write_png(
        file, {.pixels = pixels.data(), .width = w, .height = h, .stride = std::size_t(w) * 4}, png::kFast);
    if (!written) std::fprintf(stderr, "sayso: %s\n", written.words().c_str());
    return static_cast<bool>(written);
}

void Kiosk::write_timings() {
    if (!o_.timings) return;
    std::ofstream out(*o_.timings);
    out << "{\"first_frame_ms\": " << first_frame_ms_ << ", \"frame_ms\": [";
    for (std::size_t i = 0; i < frame_ms_.size(); ++i)
        out << (i ? ", " : "") << frame_ms_[i];
    out << "], \"unchanged_frames\": " << unchanged_ << ", \"stale_frames\": " << stale_ << ", \"shown\": [";
    for (std::size_t i = 0; i < shown_.size(); ++i) {
        std::string name;
        for (char c : shown_[i].screen)
            if (c != '"' && c != '\\') name += c;
        out << (i ? ", " : "") << "{\"screen\": \"" << name << "\", \"ms\": " << shown_[i].ms
            << ", \"pss_kib\": " << shown_[i].pss_kib << "}";
    }
    out << "]}\n";
}

} // namespace sayso::ui
