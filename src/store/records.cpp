// Journal's sealed settings, typed records and seen identities.
#include "duet/crypto/aead.hpp"
#include "duet/error.hpp"
#include "journal_impl.hpp"
#include "keys.hpp"

#include <fmt/format.h>

namespace duet::store {

void write_setting(SQLite::Database& db, const crypto::SecureBytes& data_key,
                   crypto::ByteView journal_id, const std::string& name, const std::string& value) {
    const crypto::Bytes sealed =
        crypto::seal(data_key, crypto::as_bytes(value), setting_ad(journal_id, name));
    SQLite::Statement q(db, "INSERT OR REPLACE INTO settings (name, sealed) VALUES (?, ?)");
    q.bind(1, name);
    bind_bytes(q, 2, sealed);
    q.exec();
}

std::optional<std::string> Journal::setting(const std::string& name) const {
    const Impl& im = *m_impl;
    return im.db.guarded([&]() -> std::optional<std::string> {
        SQLite::Statement q(im.db.sql(), "SELECT sealed FROM settings WHERE name = ?");
        q.bind(1, name);
        if (!q.executeStep()) {
            return std::nullopt;
        }
        const auto plain =
            crypto::open(im.data_key, view_of(q.getColumn(0)), setting_ad(im.journal_id, name));
        if (!plain) {
            throw DataError(fmt::format("the journal's '{}' setting is damaged", name));
        }
        return std::string(plain->str());
    });
}

void Journal::set_setting(const std::string& name, const std::string& value) {
    const Impl& im = *m_impl;
    im.db.guarded([&] { write_setting(im.db.sql(), im.data_key, im.journal_id, name, value); });
}

void Journal::delete_setting(const std::string& name) {
    const Impl& im = *m_impl;
    im.db.guarded([&] {
        SQLite::Statement q(im.db.sql(), "DELETE FROM settings WHERE name = ?");
        q.bind(1, name);
        q.exec();
    });
}

bool Journal::seen(std::string_view identity) const {
    Impl& im = *m_impl;
    return im.db.guarded([&] {
        Reuse q(im.db, im.select_seen, "SELECT 1 FROM seen WHERE tag = ?");
        bind_bytes(*q, 1, seen_tag(im.data_key, identity));
        return q->executeStep();
    });
}

void Journal::mark_seen(std::string_view identity) {
    Impl& im = *m_impl;
    im.db.guarded([&] {
        Reuse q(im.db, im.insert_seen, "INSERT OR IGNORE INTO seen (tag) VALUES (?)");
        bind_bytes(*q, 1, seen_tag(im.data_key, identity));
        q->exec();
    });
}

void Journal::index_identities() {
    if (setting(k_identity_setting)) {
        return;
    }
    // Journals from before the index: mark every entry once, streaming, and
    // remember that it was done.
    batch([&] {
        for_each([&](const Entry& e) { mark_seen(content_identity(e)); },
                 // A damaged entry cannot be compared; `duet review` reports it.
                 [](std::int64_t, const std::string&) {});
        set_setting(k_identity_setting, "1");
    });
}

std::optional<std::int64_t> Journal::add_once(Entry& entry, std::string_view identity) {
    std::optional<std::int64_t> id;
    const std::string content = content_identity(entry);
    batch([&] {
        if (seen(identity)) {
            return;
        }
        id = add(entry, content);
        if (identity != content) { // a duet export's identity is the content's own
            mark_seen(identity);
        }
    });
    return id;
}

std::int64_t Journal::add_record(std::string_view kind, std::string_view payload) {
    const Impl& im = *m_impl;
    return im.db.guarded([&] {
        WriteScope tx(im.db, im.in_batch);
        const std::int64_t id =
            im.db.sql().execAndGet("SELECT coalesce(max(id), 0) + 1 FROM records").getInt64();
        const crypto::Bytes sealed = crypto::seal(im.data_key, crypto::as_bytes(payload),
                                                  record_ad(im.journal_id, id, kind));
        SQLite::Statement ins(im.db.sql(),
                              "INSERT INTO records (id, kind, sealed) VALUES (?, ?, ?)");
        ins.bind(1, id);
        ins.bind(2, std::string(kind));
        bind_bytes(ins, 3, sealed);
        ins.exec();
        tx.commit();
        return id;
    });
}

void Journal::update_record(std::int64_t id, std::string_view kind, std::string_view payload) {
    const Impl& im = *m_impl;
    const crypto::Bytes sealed =
        crypto::seal(im.data_key, crypto::as_bytes(payload), record_ad(im.journal_id, id, kind));
    im.db.guarded([&] {
        SQLite::Statement q(im.db.sql(), "UPDATE records SET sealed = ? WHERE id = ? AND kind = ?");
        bind_bytes(q, 1, sealed);
        q.bind(2, id);
        q.bind(3, std::string(kind));
        q.exec();
    });
}

void Journal::delete_record(std::int64_t id, std::string_view kind) {
    const Impl& im = *m_impl;
    im.db.guarded([&] {
        SQLite::Statement q(im.db.sql(), "DELETE FROM records WHERE id = ? AND kind = ?");
        q.bind(1, id);
        q.bind(2, std::string(kind));
        q.exec();
    });
}

void Journal::for_each_record(
    std::string_view kind,
    const std::function<void(std::int64_t id, const std::string& payload)>& visit,
    const DamagedFn& on_damaged) const {
    const Impl& im = *m_impl;
    im.db.guarded(
        [&] {
            SQLite::Statement q(im.db.sql(),
                                "SELECT id, sealed FROM records WHERE kind = ? ORDER BY id");
            q.bind(1, std::string(kind));
            while (q.executeStep()) {
                const std::int64_t id = q.getColumn(0).getInt64();
                const auto plain = crypto::open(im.data_key, view_of(q.getColumn(1)),
                                                record_ad(im.journal_id, id, kind));
                if (!plain) {
                    on_damaged(id,
                               fmt::format("{} record {} is damaged and cannot be read", kind, id));
                    continue;
                }
                visit(id, std::string(plain->str()));
            }
        },
        [&] {
            on_damaged(0, fmt::format("some {} records are in a damaged part of {} and cannot be "
                                      "read",
                                      kind, im.path().string()));
        });
}

} // namespace duet::store
