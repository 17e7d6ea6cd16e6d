// The room protocol driven over in-memory connections: frames in, effects out, no sockets, no sleeps.
#include "kino/realtime/room_core.hpp"

#include <gtest/gtest.h>

#include "unit/realtime/room_core_fixture.hpp"

namespace kino::realtime {
namespace {

using boost::json::object;
using namespace std::chrono_literals;
using testing::RoomCoreTest;
using testing::RoomPlaybackTest;

TEST_F(RoomCoreTest, HelloCarriesTheSnapshotAndJoinIsAnnouncedToEveryone) {
  storage::MessageRecord old{1, 7, 3, "user:9", "Ann", "c", "first!", clock_.now(), false};
  auto core = makeCore(3, {old});
  auto fx = core->connect(person(1, "user:1", "Anna"));
  auto frames = to(fx, 1);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0]["type"], "hello");
  EXPECT_EQ(frames[0]["protocol"], 1);
  EXPECT_EQ(frames[0]["participant_id"], "p1");
  EXPECT_EQ(frames[0]["snapshot"].at("last_seq"), 3);
  EXPECT_EQ(frames[0]["snapshot"].at("messages").as_array().size(), 1u);
  EXPECT_EQ(frames[0]["snapshot"].at("messages").as_array()[0].at("text"), "first!");
  EXPECT_EQ(frames[1]["type"], "member.joined");
  EXPECT_EQ(frames[1]["seq"], 4);
  EXPECT_EQ(frames[2]["type"], "participant.joined");
  EXPECT_EQ(frames[2]["seq"], 5);
  EXPECT_EQ(fx.members_entered.size(), 1u);

  auto fx2 = core->connect(person(2, "user:2", "Boris"));
  EXPECT_EQ(to(fx2, 1).at(0)["type"], "member.joined");
  EXPECT_EQ(to(fx2, 1).at(0)["seq"], 6);
  EXPECT_EQ(to(fx2, 2).at(0)["snapshot"].at("members").as_array().size(), 2u);
}

TEST_F(RoomCoreTest, SecondTabOfTheSamePersonIsOneMember) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  auto fx = core->connect(person(2, "user:1", "Anna"));
  EXPECT_TRUE(fx.members_entered.empty());
  EXPECT_EQ(core->memberCount(), 1u);
  auto left = core->disconnect(1);
  EXPECT_TRUE(left.members_left.empty());
  left = core->disconnect(2);
  EXPECT_EQ(left.members_left.size(), 1u);
  EXPECT_TRUE(left.now_empty);
}

// The archive shows who was there and when: the core tells its owner who arrived (first
// connection) and who left (last one), with their name and the time by the room's clock.
TEST_F(RoomCoreTest, WhoArrivesAndWhoLeavesIsReportedWithTheirNameAndTime) {
  auto core = makeCore();
  const auto t0 = clock_.now();
  auto anna = core->connect(person(1, "user:1", "Anna"));
  ASSERT_EQ(anna.members_entered.size(), 1u);
  EXPECT_EQ(anna.members_entered[0].principal, "user:1");
  EXPECT_EQ(anna.members_entered[0].name, "Anna");
  EXPECT_EQ(anna.members_entered[0].at, t0);
  EXPECT_TRUE(anna.members_left.empty());

  clock_.advance(90s);
  auto gus = core->connect(person(2, "guest:g1", "Gus"));
  ASSERT_EQ(gus.members_entered.size(), 1u);
  EXPECT_EQ(gus.members_entered[0].principal, "guest:g1");
  EXPECT_EQ(gus.members_entered[0].at, t0 + 90s);
  EXPECT_TRUE(core->connect(person(3, "guest:g1", "Gus")).members_entered.empty())
      << "a second tab is the same visit";

  clock_.advance(10min);
  EXPECT_TRUE(core->disconnect(2).members_left.empty()) << "Gus still has a tab open";
  auto gone = core->disconnect(3);
  ASSERT_EQ(gone.members_left.size(), 1u);
  EXPECT_EQ(gone.members_left[0].principal, "guest:g1");
  EXPECT_EQ(gone.members_left[0].name, "Gus");
  EXPECT_EQ(gone.members_left[0].at, t0 + 90s + 10min);
  EXPECT_FALSE(gone.now_empty);
  EXPECT_TRUE(core->disconnect(3).members_left.empty()) << "an unknown connection changes nothing";
}

TEST_F(RoomCoreTest, ChatIsDeliveredOnlyAfterItIsStoredThenAcked) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  core->connect(person(2, "user:2", "Boris"));
  auto fx = core->receive(1, chat("m1", "hello"));
  EXPECT_TRUE(fx.sends.empty());  // nothing before durability
  ASSERT_EQ(fx.persist.size(), 1u);
  EXPECT_EQ(fx.persist[0].text, "hello");
  EXPECT_EQ(fx.persist[0].principal, "user:1");
  auto done = core->persisted(stored(fx.persist));
  auto boris = to(done, 2);
  ASSERT_EQ(boris.size(), 1u);
  EXPECT_EQ(boris[0]["type"], "chat.message");
  EXPECT_EQ(boris[0]["message"].at("text"), "hello");
  EXPECT_EQ(boris[0]["message"].at("author").at("name"), "Anna");
  auto anna = to(done, 1);
  ASSERT_EQ(anna.size(), 2u);
  EXPECT_EQ(anna[0]["type"], "chat.message");
  EXPECT_EQ(anna[1]["type"], "chat.ack");
  EXPECT_EQ(anna[1]["id"], "m1");
}

TEST_F(RoomCoreTest, EventsStayInSeqOrderBehindAMessageBeingStored) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  auto fx = core->receive(1, chat("m1", "first"));
  auto batch = fx.persist;
  auto join = core->connect(person(2, "user:2", "Boris"));  // its member.joined waits behind m1
  EXPECT_TRUE(to(join, 1).empty());
  auto second = core->receive(1, chat("m2", "second"));
  EXPECT_TRUE(second.persist.empty());  // one batch at a time
  auto done = core->persisted(stored(batch));
  auto frames = to(done, 1);
  ASSERT_GE(frames.size(), 2u);
  EXPECT_EQ(frames[0]["type"], "chat.message");
  EXPECT_EQ(frames[1]["type"], "chat.ack");
  EXPECT_EQ(frames[2]["type"], "member.joined");
  EXPECT_LT(frames[0]["seq"].as_int64(), frames[2]["seq"].as_int64());
  ASSERT_EQ(done.persist.size(), 1u);  // the next batch starts
  EXPECT_EQ(done.persist[0].text, "second");
}

TEST_F(RoomCoreTest, ResendingTheSameClientIdIsAppliedOnce) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  auto fx = core->receive(1, chat("m1", "hello"));
  auto again = core->receive(1, chat("m1", "hello"));
  EXPECT_TRUE(again.persist.empty());
  core->persisted(stored(fx.persist));
  auto third = core->receive(1, chat("m1", "hello"));
  EXPECT_TRUE(third.persist.empty());
  auto frames = to(third, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["type"], "chat.ack");  // acked again, not repeated to the room
  // The same id from another person is a different message.
  core->connect(person(2, "user:2", "Boris"));
  EXPECT_EQ(core->receive(2, chat("m1", "mine")).persist.size(), 1u);
}

TEST_F(RoomCoreTest, EveryCopyOfAResendInFlightIsAcked) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  core->connect(person(2, "user:1", "Anna"));  // the same person reconnected on another socket
  auto fx = core->receive(1, chat("m1", "hello"));
  core->receive(1, chat("m1", "hello"));
  core->receive(2, chat("m1", "hello"));
  auto done = core->persisted(stored(fx.persist));
  int acks1 = 0, acks2 = 0, messages1 = 0;
  for (auto& f : to(done, 1)) {
    acks1 += f["type"] == "chat.ack";
    messages1 += f["type"] == "chat.message";
  }
  for (auto& f : to(done, 2)) acks2 += f["type"] == "chat.ack";
  EXPECT_EQ(acks1, 2);
  EXPECT_EQ(acks2, 1);
  EXPECT_EQ(messages1, 1);
}

TEST_F(RoomCoreTest, SeqNumbersAreReservedAheadAndNeverRepeatAfterARestart) {
  RoomCoreOptions small = options();
  small.seq_block = 10;
  RoomCore first(setup(0, {}, 1, 11), clock_, people_, small);
  std::optional<std::int64_t> floor;
  for (int i = 1; i <= 8; ++i) {
    auto fx = first.connect(person(static_cast<ConnId>(i), "user:" + std::to_string(i), "P"));
    if (fx.reserve_seq_floor) floor = fx.reserve_seq_floor;
  }
  ASSERT_TRUE(floor.has_value());  // asked for more room before running out
  EXPECT_GT(*floor, first.lastSeq());
  // A restart starts above the stored floor: a client that saw seq 8 cannot mistake new events.
  RoomCore second(setup(0, {}, *floor + 1, *floor + 11), clock_, people_, small);
  auto frames = to(second.connect(person(1, "user:1", "Anna", /*resume_from=*/8)), 1);
  EXPECT_EQ(frames.at(0)["resumed"], false);
  EXPECT_GT(frames.at(1)["seq"].as_int64(), *floor);
}

TEST_F(RoomCoreTest, ResendAfterARestartIsRecognisedByTheStore) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  auto fx = core->receive(1, chat("m1", "hello"));
  auto existing = stored(fx.persist).value();
  existing[0].duplicate = true;
  existing[0].seq = 1;  // stored long ago
  auto done = core->persisted(existing);
  auto frames = to(done, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["type"], "chat.ack");
}

TEST_F(RoomCoreTest, FailedStoreTellsTheSenderAndAcceptsTheRetry) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  auto fx = core->receive(1, chat("m1", "hello"));
  auto done = core->persisted(Error::make(ErrorKind::kUnavailable, "store_busy", "busy"));
  auto frames = to(done, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["code"], "chat_unavailable");
  EXPECT_EQ(frames[0]["id"], "m1");
  EXPECT_EQ(core->receive(1, chat("m1", "hello")).persist.size(), 1u);
}

TEST_F(RoomCoreTest, BadFramesGetErrorFramesAndChangeNothing) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  struct Case { std::string frame; std::string code; } cases[] = {
      {"{oops", "malformed_frame"},
      {R"({"type":"nope"})", "unknown_type"},
      {chat("m1", std::string(2001, 'a')), "message_too_long"},
      {chat("m2", "   "), "invalid_message"},
      {chat("m3", "bell\\u0007"), "invalid_message"},
  };
  for (const auto& c : cases) {
    auto fx = core->receive(1, c.frame);
    EXPECT_TRUE(fx.persist.empty()) << c.frame;
    auto frames = to(fx, 1);
    ASSERT_EQ(frames.size(), 1u) << c.frame;
    EXPECT_EQ(frames[0]["code"].as_string(), c.code);
  }
  EXPECT_EQ(core->receive(1, chat("m9", std::string(2000, 'a'))).persist.size(), 1u);
}

TEST_F(RoomCoreTest, ChatIsRateLimitedPerPerson) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  std::vector<storage::NewMessage> all;
  for (int i = 0; i < 5; ++i) {
    auto fx = core->receive(1, chat("m" + std::to_string(i), "x"));
    for (auto& n : fx.persist) all.push_back(n);
    if (!fx.persist.empty()) core->persisted(stored(fx.persist));
  }
  auto limited = core->receive(1, chat("m6", "x"));
  EXPECT_TRUE(limited.persist.empty());
  EXPECT_EQ(to(limited, 1).at(0)["code"], "rate_limited");
  clock_.advance(10s);
  EXPECT_EQ(core->receive(1, chat("m7", "x")).persist.size(), 1u);
}

TEST_F(RoomCoreTest, ResumeReplaysExactlyWhatWasMissed) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));   // seq 1 member joined, 2 participant joined
  core->connect(person(2, "user:2", "Boris"));  // seq 3, 4
  core->disconnect(2);                          // seq 5 participant left, 6 member left
  for (int i = 0; i < 3; ++i) {                 // seq 7..9 messages
    auto fx = core->receive(1, chat("m" + std::to_string(i), "msg" + std::to_string(i)));
    core->persisted(stored(fx.persist, 10 + i));
  }
  auto fx = core->connect(person(3, "user:2", "Boris", /*resume_from=*/6));
  auto frames = to(fx, 3);
  ASSERT_GE(frames.size(), 4u);
  EXPECT_EQ(frames[0]["resumed"], true);
  std::vector<std::int64_t> seqs;
  for (std::size_t i = 1; i < frames.size(); ++i) seqs.push_back(frames[i]["seq"].as_int64());
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{7, 8, 9, 10, 11}));  // 7–9 replayed, 10–11 = joined again
  EXPECT_EQ(frames[1]["message"].at("text"), "msg0");
}

TEST_F(RoomCoreTest, ResumeFromTheFutureOrTooFarBackFallsBackToTheSnapshot) {
  RoomCoreOptions small = options();
  small.replay_events = 2;
  auto core = std::make_unique<RoomCore>(setup(100), clock_, people_, small);
  core->connect(person(1, "user:1", "Anna"));  // 101 member, 102 participant
  core->connect(person(2, "user:2", "B"));     // 103, 104
  core->connect(person(3, "user:3", "C"));     // 105, 106: the replay buffer holds 105, 106
  EXPECT_EQ(to(core->connect(person(4, "user:4", "D", 500)), 4).at(0)["resumed"], false);
  EXPECT_EQ(to(core->connect(person(5, "user:5", "E", 100)), 5).at(0)["resumed"], false);
  // D and E joined as 107–110, so the buffer now holds 109–110: resuming from 108 works.
  auto ok = to(core->connect(person(6, "user:6", "F", 108)), 6);
  EXPECT_EQ(ok.at(0)["resumed"], true);
}

TEST_F(RoomCoreTest, PingIsAnsweredWithTheServerClock) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  auto frames = to(core->receive(1, R"({"type":"ping","id":"p","t0":5})"), 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["type"], "pong");
  EXPECT_EQ(frames[0]["server_time"], common::toUnixMillis(clock_.now()));
}

}  // namespace
}  // namespace kino::realtime

namespace kino::realtime {
namespace {

TEST_F(RoomPlaybackTest, AnyoneControlsAndEveryoneGetsTheSameScheduledState) {
  auto core = makeCore();
  auto c1 = person(1, "user:1", "Anna");
  c1.is_owner = true;
  core->connect(c1);
  core->connect(person(2, "user:2", "Boris"));
  core->receive(2, R"({"type":"clock.report","rtt_ms":300})");
  auto fx = core->receive(2, control("play"));
  auto a = to(fx, 1), b = to(fx, 2);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(*fx.sends[0].second, *fx.sends[1].second);  // one frame for everyone
  const auto& state = a[0]["state"].as_object();
  EXPECT_EQ(a[0]["type"], "playback.state");
  EXPECT_EQ(state.at("status"), "playing");
  EXPECT_EQ(state.at("by").at("name"), "Boris");
  // Scheduled ahead by the slowest one-way delay plus margin: 300/2 + 150 ms.
  EXPECT_EQ(state.at("at_server_ms").as_int64(), common::toUnixMillis(clock_.now()) + 300);
  ASSERT_EQ(fx.persist_playback.size(), 1u);
  EXPECT_EQ(fx.persist_playback[0].action, "play");
  EXPECT_EQ(fx.persist_playback[0].by_principal, "user:2");
}

TEST_F(RoomPlaybackTest, HostPolicyRefusesOthersWithAClearError) {
  auto core = hostAndGuest();
  EXPECT_EQ(to(core->receive(2, R"({"type":"room.policy","control":"host"})"), 2).at(0)["code"],
            "not_allowed");
  auto set = core->receive(1, R"({"type":"room.policy","control":"host"})");
  EXPECT_EQ(to(set, 2).at(0)["type"], "room.policy");
  ASSERT_TRUE(set.persist_policy.has_value());
  EXPECT_EQ(set.persist_policy->first, "host");
  auto refused = to(core->receive(2, control("pause")), 2);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0]["code"], "not_allowed");
  EXPECT_EQ(refused[0]["id"], "c1");
  EXPECT_EQ(to(core->receive(1, control("pause")), 2).at(0)["type"], "playback.state");
}

TEST_F(RoomPlaybackTest, SeekAndInvalidControls) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  auto seek = to(core->receive(1, control("seek", R"(,"position_s":725.5)")), 1);
  EXPECT_DOUBLE_EQ(seek.at(0)["state"].at("position_s").as_double(), 725.5);
  EXPECT_EQ(to(core->receive(1, control("seek")), 1).at(0)["code"], "invalid_control");
  EXPECT_EQ(to(core->receive(1, control("rewind")), 1).at(0)["code"], "invalid_request");
}

TEST_F(RoomPlaybackTest, WaitForAllPausesForAStalledMemberAndResumes) {
  auto core = hostAndGuest();
  core->receive(1, R"({"type":"room.policy","buffering":"wait_for_all"})");
  core->receive(1, control("play"));
  clock_.advance(1s);  // later than the coalescing window, so each change goes out at once
  auto stalled = to(core->receive(2, R"({"type":"playback.buffering","buffering":true})"), 1);
  ASSERT_EQ(stalled.size(), 1u);
  EXPECT_EQ(stalled[0]["state"].at("status"), "paused");
  EXPECT_EQ(stalled[0]["state"].at("action"), "buffering");
  clock_.advance(1s);
  auto resumed = to(core->receive(2, R"({"type":"playback.buffering","buffering":false})"), 1);
  ASSERT_EQ(resumed.size(), 1u);
  EXPECT_EQ(resumed[0]["state"].at("status"), "playing");
  EXPECT_EQ(resumed[0]["state"].at("action"), "resume");
}

TEST_F(RoomPlaybackTest, WaitForAllGivesUpAfterTheBoundedWait) {
  auto core = hostAndGuest();
  core->receive(1, R"({"type":"room.policy","buffering":"wait_for_all"})");
  core->receive(1, control("play"));
  clock_.advance(1s);
  core->receive(2, R"({"type":"playback.buffering","buffering":true})");
  clock_.advance(9s);
  EXPECT_TRUE(core->tick().sends.empty());
  clock_.advance(2s);
  auto frames = to(core->tick(), 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["state"].at("status"), "playing");
}

TEST_F(RoomPlaybackTest, CatchUpKeepsEveryoneElsePlaying) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  core->receive(1, control("play"));
  EXPECT_TRUE(core->receive(1, R"({"type":"playback.buffering","buffering":true})").sends.empty());
  EXPECT_TRUE(core->playback().playing);
}

TEST_F(RoomPlaybackTest, HelloCarriesPlaybackAndPolicy) {
  RoomSetup s = setup(0);
  s.playback.playing = true;
  s.playback.position_s = 60;
  s.playback.at_server_ms = common::toUnixMillis(clock_.now());
  s.control_policy = "host";
  RoomCore core(s, clock_, people_, options());
  auto hello = to(core.connect(person(1, "user:1", "Anna")), 1).at(0);
  EXPECT_EQ(hello["snapshot"].at("playback").at("status"), "playing");
  EXPECT_EQ(hello["snapshot"].at("policy").at("control"), "host");
}


TEST_F(RoomCoreTest, ParticipantsAndTheirMicAndCameraAreRoomState) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  core->connect(person(2, "user:1", "Anna"));  // a second tab: a second participant, same member
  auto on = to(core->receive(1, R"({"type":"media.state","mic":true,"camera":false})"), 2);
  ASSERT_EQ(on.size(), 1u);
  EXPECT_EQ(on[0]["type"], "media.state");
  EXPECT_EQ(on[0]["participant_id"], "p1");
  EXPECT_EQ(on[0]["mic"], true);
  EXPECT_EQ(on[0]["camera"], false);
  // The same state again is no event.
  EXPECT_TRUE(core->receive(1, R"({"type":"media.state","mic":true,"camera":false})").sends.empty());

  auto hello = to(core->connect(person(3, "user:3", "Cleo")), 3).at(0);
  const auto& participants = hello["snapshot"].at("participants").as_array();
  ASSERT_EQ(participants.size(), 3u);
  EXPECT_EQ(participants[0].at("id"), "p1");
  EXPECT_EQ(participants[0].at("member_id"), "u1");
  EXPECT_EQ(participants[0].at("name"), "Anna");
  EXPECT_EQ(participants[0].at("mic"), true);
  EXPECT_EQ(participants[1].at("mic"), false);

  // One tab closes: that participant leaves, the member stays; the call is told to let it go.
  auto fx = core->disconnect(1);
  auto seen = to(fx, 3);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["type"], "participant.left");
  EXPECT_EQ(seen[0]["participant_id"], "p1");
  EXPECT_EQ(fx.media_leaves, (std::vector<ConnId>{1}));
}

TEST_F(RoomCoreTest, SignallingGoesToTheMediaRelayWithTheParticipant) {
  auto core = makeCore();
  core->connect(person(1, "user:1", "Anna"));
  auto fx = core->receive(1, R"({"type":"media.publish","jsep":{"type":"offer","sdp":"v=0"}})");
  EXPECT_TRUE(fx.sends.empty());
  ASSERT_EQ(fx.media_signals.size(), 1u);
  EXPECT_EQ(fx.media_signals[0].conn, 1u);
  EXPECT_EQ(fx.media_signals[0].participant_id, "p1");
  EXPECT_EQ(fx.media_signals[0].signal.type, "media.publish");
  EXPECT_EQ(fx.media_signals[0].signal.sdp, "v=0");
}

}  // namespace
}  // namespace kino::realtime
