// Journal's entries: adding, numbering, reading by id, by day, and in id ranges.
#include "duet/crypto/aead.hpp"
#include "duet/crypto/keys.hpp"
#include "duet/error.hpp"
#include "journal_impl.hpp"
#include "keys.hpp"
#include "rows.hpp"

#include <fmt/format.h>

namespace duet::store {

namespace {
// Entry numbers are one space for the journal's own entries and the entries a
// partner shared (kept as records): "last_number" in meta is the highest
// number handed to a partner's entry, so no own entry is given it later.
constexpr const char* k_last_number = "last_number";

std::int64_t next_number(SQLite::Database& db) {
    std::int64_t last = db.execAndGet("SELECT coalesce(max(id), 0) FROM entries").getInt64();
    if (const auto v = read_meta_if(db, k_last_number)) {
        const auto n =
            parse_numbers(std::string_view(reinterpret_cast<const char*>(v->data()), v->size()));
        if (n && n->size() == 1 && n->front() > last) {
            last = n->front();
        }
    }
    return last + 1;
}

std::string damaged_part(std::int64_t id, const fs::path& path) {
    return fmt::format("entry {} is in a damaged part of {} and cannot be read "
                       "(`duet check --salvage` keeps everything that can be)",
                       id, path.string());
}
} // namespace

Entry open_entry(const crypto::SecureBytes& data_key, crypto::ByteView journal_id, std::int64_t id,
                 crypto::ByteView sealed) {
    // One guarded buffer per thread, reused across a scan: guarded memory costs
    // several system calls to allocate, which dominated long reviews.
    thread_local crypto::SecureBytes plain(16 * 1024);
    if (!crypto::open_into(data_key, sealed, entry_ad(journal_id, id), plain)) {
        throw DataError(fmt::format("entry {} is damaged (it fails its integrity check) and "
                                    "cannot be read",
                                    id));
    }
    Entry entry = decode_entry(plain.view(), id);
    crypto::wipe(plain.data(), plain.size());
    return entry;
}

std::int64_t Journal::add(Entry& entry) {
    return add(entry, content_identity(entry));
}

std::int64_t Journal::reserve_number() {
    Impl& im = *m_impl;
    return im.db.guarded([&] {
        WriteScope tx(im.db, im.in_batch);
        SQLite::Database& db = im.db.sql();
        const std::int64_t number =
            im.next_id ? std::max(*im.next_id, next_number(db)) : next_number(db);
        write_meta_text(db, k_last_number, std::to_string(number));
        if (im.next_id) {
            im.next_id = number + 1;
        }
        tx.commit();
        return number;
    });
}

void Journal::insert_entry(const Entry& entry) {
    Impl& im = *m_impl;
    // One guarded buffer per thread for the plaintext, as for reading.
    thread_local crypto::SecureBytes plain(4 * 1024);
    encode_entry_into(entry, plain);
    const crypto::Bytes sealed =
        crypto::seal(im.data_key, plain.view(), entry_ad(im.journal_id, entry.id));
    crypto::wipe(plain.data(), plain.size());
    Reuse ins(im.db, im.insert_entry, "INSERT INTO entries (id, sealed, day_tag) VALUES (?, ?, ?)");
    ins->bind(1, entry.id);
    bind_bytes(*ins, 2, sealed);
    if (im.reminder_key) {
        bind_bytes(*ins, 3, day_tag(im.reminder_key->view(), entry.day));
    } else {
        ins->bind(3);
    }
    ins->exec();
}

std::int64_t Journal::add(Entry& entry, const std::string& content) {
    Impl& im = *m_impl;
    try {
        return im.db.guarded([&] {
            WriteScope tx(im.db, im.in_batch);
            if (!im.in_batch) {
                im.order.reset(); // another process may have written since we last looked
            }
            if (!im.next_id) {
                im.next_id = next_number(im.db.sql());
            }
            entry.id = *im.next_id;
            note_order(entry);
            insert_entry(entry);
            mark_seen(content);
            ++im.added;
            im.added_max = std::max(im.added_max, entry.id);
            if (im.in_batch) {
                im.next_id = entry.id + 1;
            } else {
                im.next_id.reset();
                save_order();
                save_tally();
            }
            tx.commit();
            return entry.id;
        });
    } catch (...) {
        if (!im.in_batch) {
            im.forget_pending();
        }
        throw;
    }
}

std::int64_t Journal::max_id() const {
    const Database& db = m_impl->db;
    return db.guarded(
        [&] { return db.sql().execAndGet("SELECT coalesce(max(id), 0) FROM entries").getInt64(); },
        [&] {
            const std::vector<std::int64_t> ids = db.ids_from_index("entries", "entries_by_day");
            return ids.empty() ? std::int64_t{0} : ids.back();
        });
}

std::int64_t Journal::count() const {
    const Database& db = m_impl->db;
    return db.guarded(
        [&] { return db.sql().execAndGet("SELECT count(*) FROM entries").getInt64(); });
}

void Journal::for_each(const std::function<void(const Entry&)>& visit,
                       const DamagedFn& on_damaged) const {
    Cursor all = cursor(INT64_MIN, INT64_MAX, false, on_damaged);
    while (const std::optional<Entry> entry = all.next()) {
        visit(*entry);
    }
}

std::optional<Entry> Journal::find(std::int64_t id) const {
    const Impl& im = *m_impl;
    return im.db.guarded([&]() -> std::optional<Entry> {
        SQLite::Statement q(im.db.sql(), "SELECT sealed FROM entries WHERE id = ?");
        q.bind(1, id);
        if (!q.executeStep()) {
            return std::nullopt;
        }
        return open_entry(im.data_key, im.journal_id, id, view_of(q.getColumn(0)));
    });
}

std::vector<Entry> Journal::entries_on(util::DayNumber day) const {
    const Impl& im = *m_impl;
    std::vector<Entry> out;
    if (!im.reminder_key) {
        // No markers to use: fall back to a full scan.
        for_each(
            [&](const Entry& e) {
                if (e.day == day)
                    out.push_back(e);
            },
            [](std::int64_t, const std::string&) {});
        return out;
    }
    im.db.guarded(
        [&] {
            SQLite::Statement q(im.db.sql(),
                                "SELECT id, sealed FROM entries WHERE day_tag = ? ORDER BY id");
            bind_bytes(q, 1, day_tag(im.reminder_key->view(), day));
            while (q.executeStep()) {
                const std::int64_t id = q.getColumn(0).getInt64();
                try {
                    Entry e = open_entry(im.data_key, im.journal_id, id, view_of(q.getColumn(1)));
                    if (e.day == day) {
                        out.push_back(std::move(e));
                    }
                } catch (const DataError&) {
                    // Damaged entries are reported by review; here they just do not count.
                }
            }
        },
        [] {}); // a damaged page: as above, review and check name what is lost
    return out;
}

struct Journal::Cursor::State {
    const Journal::Impl* impl;
    DamagedFn on_damaged;
    RowReader rows;

    State(const Journal::Impl* i, RowReader::Range range, DamagedFn d)
        : impl(i), on_damaged(std::move(d)), rows(i->db, std::move(range), [this](std::int64_t id) {
              on_damaged(id, damaged_part(id, impl->path()));
          }) {}
};

Journal::Cursor::Cursor(std::unique_ptr<State> state) : m_state(std::move(state)) {}
Journal::Cursor::Cursor(Cursor&&) noexcept = default;
Journal::Cursor::~Cursor() = default;

std::optional<Entry> Journal::Cursor::next() {
    State& st = *m_state;
    while (SQLite::Statement* row = st.rows.next()) {
        const std::int64_t id = row->getColumn(0).getInt64();
        try {
            return open_entry(st.impl->data_key, st.impl->journal_id, id,
                              view_of(row->getColumn(1)));
        } catch (const DataError& e) {
            st.on_damaged(id, e.what());
        }
    }
    return std::nullopt;
}

Journal::Cursor Journal::cursor(std::int64_t first, std::int64_t last, bool descending,
                                const DamagedFn& on_damaged) const {
    RowReader::Range range{"entries", "entries_by_day", "sealed", first, last, descending};
    return Cursor(std::make_unique<Cursor::State>(m_impl.get(), std::move(range), on_damaged));
}

} // namespace duet::store
