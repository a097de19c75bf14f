// The kiosk's main loop: input, the flow's time, and a frame only when
// something changed. A frame draws one screen from values and collects its
// intents; between frames the intents are applied and the tasks' results
// delivered. The headless replay (replay_driver.cpp) drives the same loop.
#pragma once

#include "actions.hpp"
#include "app.hpp"
#include "delivery.hpp"
#include "input.hpp"
#include "look.hpp"
#include "microphone.hpp"
#include "pack/shelf.hpp"
#include "screens/screens.hpp"
#include "script/script.hpp"
#include "shapes.hpp"
#include "tasks/tasks.hpp"
#include "textures.hpp"
#include "voice.hpp"
#include "widgets.hpp"

#include <SDL.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sayso::ui {

class Kiosk {
  public:
    Kiosk(const Options& o, const flow::Clock& clock, flow::Recorder& recorder, std::string storage_problem,
          access::Gate* gate, storage::Store* store, SDL_Window* window, SDL_Renderer* renderer);
    ~Kiosk();
    Kiosk(const Kiosk&) = delete;
    Kiosk& operator=(const Kiosk&) = delete;

    // Live: wait for input or the flow's next deadline, draw only when needed.
    int live();

    // For the replay driver.
    // Runs frames until input is consumed and the screen is up to date, and
    // waits (up to 60 s) for the tasks the taps asked for, as a person would.
    void settle();
    // Draws the screen and writes it to `file`; false if it can't be written.
    bool shot(const std::filesystem::path& file);
    void redraw() { frames_ = std::max(frames_, 2); }
    flow::Flow& flow() { return flow_; }
    const Widgets& widgets() const { return widgets_; }
    Delivery& delivery() { return delivery_; }
    Speaker& speaker() { return voice_.speaker(); }
    const Microphone& microphone() const { return mic_; }
    bool quitting() const { return quit_; }
    // The screen showing, in words for a failure ("question (question:id)").
    std::string current() const;
    // `want` names the screen showing, or "question:<id>".
    bool matches(const std::string& want) const;
    // Why the replay must fail: a frame waited on slow work, or a task hung; empty if neither.
    const std::string& replay_problem() const { return replay_problem_; }
    SDL_Window* window() const { return window_; }

  private:
    void step();
    void pump();
    void wait();
    void other_event(const SDL_Event& e);
    bool animating() const;
    void relayout();
    void request_quit();
    void on_screen_change();
    void update_text_input();
    void follow_microphone(); // open while the flow records, its samples handed over
    void feed_microphone();   // what it heard so far, to the flow
    bool draw(const std::filesystem::path* capture);
    void frame_did(const std::vector<std::string>& slow);
    bool write_png(const std::filesystem::path& file);
    void write_timings();
    // The current draw question's canvas as a texture, its pixels brought up to date.
    Picture canvas_picture();

    const Options& o_;
    const flow::Clock& clock_;
    SDL_Window* window_;
    SDL_Renderer* renderer_;
    access::Gate* gate_;    // null when the answers file could not be opened
    storage::Store* store_; // likewise
    std::string storage_problem_;

    flow::Flow flow_;
    pack::Shelf shelf_;
    Textures textures_;
    Shapes shapes_;
    Widgets widgets_;
    Input input_;
    Look look_;
    Voice voice_;
    Delivery delivery_;
    std::string settings_file_; // the delivery settings file, or empty
    Held held_;                 // the screens' own state between frames
    Facts facts_;               // read between frames, shown by the screens
    Intents intents_;           // what this frame's taps asked for
    bool quit_ = false;

    int frames_ = 2; // frames still to draw
    std::uint64_t drawn_version_ = ~0ull;
    flow::Screen last_screen_ = flow::Screen::Practitioner;
    flow::Millis screen_since_{0};
    flow::Millis last_frame_{0};
    bool text_input_ = false;
    std::vector<double> frame_ms_; // frames put on the screen
    double first_frame_ms_ = 0;
    // What the screen shows: a frame whose draw lists are the same is not
    // drawn again, unless the window lost its pixels (exposed, resized).
    std::uint64_t shown_hash_ = 0;
    bool must_show_ = true;
    int unchanged_ = 0, stale_ = 0; // frames not put on the screen: nothing changed; a tap had changed it
    // With --timings: when each screen was first put on the screen (ms since
    // start) and the process's proportional memory then (KiB; Linux).
    struct Shown {
        std::string screen;
        double ms = 0;
        long pss_kib = -1;
    };
    std::vector<Shown> shown_;
    std::string replay_problem_;
    SDL_Texture* canvas_ = nullptr;     // a child's drawing, as shown
    std::uint64_t canvas_from_ = 0;     // the drawing it shows (its serial)
    std::uint64_t canvas_version_ = 0;  // and its version then
    std::string logged_storage_;        // detail of the storage problem last logged; empty: none
    std::set<std::string> slow_logged_; // slow work a live frame did, logged once each

    // Slow work, one task after another off the drawing thread. Its wake
    // pushes an event the loop wakes on.
    static constexpr Sint32 kTaskDone = 1; // SDL_USEREVENT's code for a finished task (0: delivery changed)
    static constexpr Sint32 kHeard = 2;    // and for samples from the microphone
    tasks::Tasks tasks_{[] {
        SDL_Event e{};
        e.type = SDL_USEREVENT;
        e.user.code = kTaskDone;
        SDL_PushEvent(&e); // thread-safe
    }};
    Microphone mic_{[] {
        SDL_Event e{};
        e.type = SDL_USEREVENT;
        e.user.code = kHeard;
        SDL_PushEvent(&e);
    }};
    Actions actions_{{.options = o_,
                      .clock = clock_,
                      .flow = flow_,
                      .shelf = shelf_,
                      .textures = textures_,
                      .held = held_,
                      .facts = facts_,
                      .delivery = delivery_,
                      .tasks = tasks_,
                      .gate = gate_,
                      .store = store_,
                      .quit = quit_}};
};

// Runs `script` against the kiosk; an exit code (app.hpp).
int drive(Kiosk& kiosk, const script::Script& commands, flow::ManualClock& clock, const std::filesystem::path& shots);

} // namespace sayso::ui
