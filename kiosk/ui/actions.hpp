// What the screens ask for, carried out: the flow's transitions at once
// (between frames), and everything slow or fallible as a task whose result
// is applied when it comes. PINs, packs (rescans, installs, which are in
// use, their pictures), the delivery settings, enrolment and the wipe.
#pragma once

#include "access/gate.hpp"
#include "app.hpp"
#include "delivery.hpp"
#include "pack/shelf.hpp"
#include "screens/screens.hpp"
#include "tasks/tasks.hpp"
#include "textures.hpp"

#include <string>
#include <vector>

namespace sayso::ui {

class Actions {
  public:
    // The kiosk's parts the actions change; all outlive the Actions.
    struct Parts {
        const Options& options;
        const flow::Clock& clock;
        flow::Flow& flow;
        pack::Shelf& shelf;
        Textures& textures;
        Held& held;
        Facts& facts;
        Delivery& delivery;
        tasks::Tasks& tasks;
        access::Gate* gate;    // null without a usable answers file
        storage::Store* store; // likewise
        bool& quit;            // the admin PIN to close Sayso was right
    };
    explicit Actions(Parts parts) : p_(parts) {}

    // Before the first frame: the settings an admin made on this tablet, and
    // children who asked to talk whom the practitioner has not yet seen to.
    void load_settings();
    // A frame's intents: the flow's transitions in the order tapped, then the asks.
    void apply(Intents intents);

    void reload_packs();                                // a rescan on a copy of the shelf
    void log_shelf();                                   // a refused pack's problems, in full
    void decode(const std::vector<std::string>& paths); // pictures not yet uploaded nor on their way
    void decode_pack_pictures();
    void refresh_facts();
    bool enrolling() const { return enrolling_; }

  private:
    void handle(ask::CheckPin a);
    void handle(ask::SetPin a);
    void handle(ask::UsePack a);
    void handle(ask::Install a);
    void handle(ask::LookForPacks);
    void handle(ask::LoadDeliverySettings);
    void handle(ask::Enrol a);
    void handle(ask::Wipe);
    void handle(ask::TalkSeen);
    void handle(ask::Refresh) { refresh_facts(); }
    void pin_checked(access::Role role, const access::PinResult<access::Gate::Attempt>& checked);
    void adopt_shelf(pack::Shelf fresh);
    std::string settings_file() const;

    Parts p_;
    bool enrolling_ = false; // an enrolment is under way
};

} // namespace sayso::ui
