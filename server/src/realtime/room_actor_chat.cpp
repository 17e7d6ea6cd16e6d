// A room actor's chat on its way to durability: the store, or (in a cluster, while the store
// fails over) the room's journal on the bus. See RoomActor::Impl::persistChat.
#include <boost/asio/post.hpp>

#include <set>

#include "kino/common/log.hpp"
#include "room_hub_impl.hpp"

namespace kino::realtime {

namespace {

// What the core is told about messages the journal holds: stored, as far as anyone can tell.
std::vector<storage::MessageRecord> recordsOf(const std::vector<storage::NewMessage>& batch) {
  std::vector<storage::MessageRecord> out;
  out.reserve(batch.size());
  for (const auto& m : batch) {
    out.push_back(
        {0, m.room_id, m.seq, m.principal, m.author_name, m.client_id, m.text, m.sent_at, false});
  }
  return out;
}

}  // namespace

void RoomActor::Impl::persistChat(std::vector<storage::NewMessage> batch,
                                  const std::shared_ptr<RoomActor>& self) {
  const std::size_t size = batch.size();
  if (!journal) {  // one node: the store call takes the batch; nothing else needs it
    chat_batch = ChatBatch{next_batch_id++, {}, size, false};
    appendToStore(std::move(batch), chat_batch->id, self);
    return;
  }
  chat_batch = ChatBatch{next_batch_id++, std::move(batch), size, false};
  if (store_busy) {  // the store is still on an earlier call: it is slow or gone
    journalChat(self);
    return;
  }
  std::vector<storage::NewMessage> messages = journal->unstored;
  messages.insert(messages.end(), chat_batch->messages.begin(), chat_batch->messages.end());
  appendToStore(std::move(messages), chat_batch->id, self);
  store_wait.expires_after(hub->options.cluster.journal_after);
  store_wait.async_wait([self, id = chat_batch->id](boost::system::error_code ec) {
    auto& i = *self->impl_;
    if (ec || i.released || !i.chat_batch || i.chat_batch->id != id || i.chat_batch->journaling) {
      return;
    }
    i.journalChat(self);
  });
}

// The store call blocks: it runs on the worker pool and answers on the strand.
void RoomActor::Impl::appendToStore(std::vector<storage::NewMessage> messages,
                                    std::uint64_t batch_id,
                                    const std::shared_ptr<RoomActor>& self) {
  store_busy = true;
  asio::post(hub->workers, [self, f = fence(), messages = std::move(messages), batch_id]() mutable {
    auto result = self->impl_->hub->store.messages().appendBatch(messages, f);
    asio::post(self->impl_->strand,
               [self, batch_id, messages = std::move(messages), result = std::move(result)] {
                 self->impl_->storeAnswered(batch_id, messages, result, self);
               });
  });
}

void RoomActor::Impl::storeAnswered(std::uint64_t batch_id,
                                    const std::vector<storage::NewMessage>& messages,
                                    const Result<std::vector<storage::MessageRecord>>& result,
                                    const std::shared_ptr<RoomActor>& self) {
  store_busy = false;
  if (released) return;
  if (result.ok() && journal && !journal->unstored.empty()) {
    std::set<std::int64_t> stored;
    for (const auto& m : messages) stored.insert(m.seq);
    std::erase_if(journal->unstored,
                  [&stored](const storage::NewMessage& m) { return stored.contains(m.seq); });
    if (journal->unstored.empty()) trimJournal(self);
  }
  // A batch already on its way to the journal is still answered by the store if the store has
  // it first (the journal may be electing a new leader); the append's late answer changes nothing.
  const bool waited_for =
      chat_batch && chat_batch->id == batch_id && (!chat_batch->journaling || result.ok());
  const bool lost = !result.ok() && result.error().code == "lease_lost";
  if (!result.ok()) {
    log::error("chat_persist_failed", {{"room", slug}, {"message", result.error().message}});
  }
  if (!waited_for) {
    // Answered by the journal already, or a flush of journaled messages.
    if (lost) {
      stop(kCloseRoomMoved, "room moved", self);
    } else if (result.ok() && chat_batch && chat_batch->journaling && chat_batch->id != batch_id) {
      storeJournaling(self);  // it went to the journal alone while the store was busy
    }
    return;
  }
  if (journal && !result.ok() && result.error().kind == ErrorKind::kUnavailable) {
    journalChat(self);  // the store refused at once: it is failing over
    return;
  }
  store_wait.cancel();
  const std::size_t n = chat_batch->size;
  chat_batch.reset();
  if (!result.ok() || result.value().size() < n) {
    apply(core.persisted(result), self);
  } else {
    // The core's messages are the last n of what was stored.
    const auto& all = result.value();
    apply(core.persisted(
              std::vector<storage::MessageRecord>(all.end() - static_cast<long>(n), all.end())),
          self);
  }
  // Another node runs the room now: stop here; the senders resend there after reconnecting.
  if (lost) stop(kCloseRoomMoved, "room moved", self);
}

// The batch waiting for the journal goes to the store as well, with whatever else is unstored:
// whichever has it first answers.
void RoomActor::Impl::storeJournaling(const std::shared_ptr<RoomActor>& self) {
  std::vector<storage::NewMessage> messages = journal->unstored;
  messages.insert(messages.end(), chat_batch->messages.begin(), chat_batch->messages.end());
  appendToStore(std::move(messages), chat_batch->id, self);
}

void RoomActor::Impl::journalChat(const std::shared_ptr<RoomActor>& self) {
  chat_batch->journaling = true;
  store_wait.cancel();
  if (!journal->appending) appendToJournal(self);  // else journaled() starts it
}

void RoomActor::Impl::appendToJournal(const std::shared_ptr<RoomActor>& self) {
  journal->appending = true;
  asio::post(
      hub->journal_pool, [self, subject = journal->subject, after = journal->position,
                          data = encodeJournalBatch(chat_batch->messages), id = chat_batch->id] {
        auto& h = *self->impl_->hub;
        auto result = h.bus().appendJournal(subject, after, data, h.options.cluster.journal_wait);
        asio::post(self->impl_->strand, [self, id, result = std::move(result)] {
          self->impl_->journaled(id, result, self);
        });
      });
}

void RoomActor::Impl::journaled(std::uint64_t batch_id, const Result<std::uint64_t>& result,
                                const std::shared_ptr<RoomActor>& self) {
  journal->appending = false;
  if (released) return;
  if (result.ok()) journal->position = *result;  // the next append goes after this one
  const bool fenced = !result.ok() && result.error().code == "journal_fenced";
  if (!chat_batch || chat_batch->id != batch_id) {
    // The store answered this batch first; the journal holds stored messages, which a next
    // owner's claim would store again as duplicates (changing nothing).
    if (fenced) {
      if (chat_batch) {
        chat_batch.reset();
        apply(core.persisted(result.error()), self);
      }
      stop(kCloseRoomMoved, "room moved", self);
      return;
    }
    if (result.ok() && journal->unstored.empty()) trimJournal(self);
    if (chat_batch && chat_batch->journaling) appendToJournal(self);  // a later batch waited
    return;
  }
  chat_batch->journaling = false;
  if (result.ok()) {
    journal->unstored.insert(journal->unstored.end(), chat_batch->messages.begin(),
                             chat_batch->messages.end());
    log::info("chat_journaled",
              {{"room", room_id},
               {"messages", static_cast<std::int64_t>(chat_batch->messages.size())},
               {"unstored", static_cast<std::int64_t>(journal->unstored.size())}});
    auto records = recordsOf(chat_batch->messages);
    chat_batch.reset();
    apply(core.persisted(std::move(records)), self);
    return;
  }
  log::warn("chat_journal_failed", {{"room", room_id}, {"message", result.error().message}});
  if (fenced) {  // another node claimed the room's journal
    chat_batch.reset();
    apply(core.persisted(result.error()), self);
    stop(kCloseRoomMoved, "room moved", self);
    return;
  }
  if (store_busy) return;  // neither has it yet: the store's answer decides
  chat_batch.reset();
  apply(core.persisted(result.error()), self);
}

// Writes the journaled messages to the store when nothing else is on the way there.
void RoomActor::Impl::flushJournal(const std::shared_ptr<RoomActor>& self) {
  if (!journal || journal->unstored.empty() || store_busy || released) return;
  appendToStore(journal->unstored, /*batch_id=*/0, self);
}

void RoomActor::Impl::trimJournal(const std::shared_ptr<RoomActor>& self) {
  asio::post(hub->journal_pool, [self, subject = journal->subject, at = journal->position] {
    auto& h = *self->impl_->hub;
    if (auto r = h.bus().trimJournal(subject, at, h.options.cluster.journal_wait); !r) {
      log::warn("chat_journal_trim_failed", {{"subject", subject}, {"message", r.error().message}});
    }
  });
}

}  // namespace kino::realtime
