// Journal's integrity check, and copying what can still be read out of a damaged file.
#include "duet/crypto/aead.hpp"
#include "duet/error.hpp"
#include "journal_impl.hpp"
#include "keys.hpp"
#include "rows.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace duet::store {

std::string Journal::integrity_check() const {
    try {
        SQLite::Statement q(m_impl->db.sql(), "PRAGMA quick_check");
        std::string out;
        while (q.executeStep()) {
            out += (out.empty() ? "" : "; ") + q.getColumn(0).getString();
        }
        return out;
    } catch (const SQLite::Exception& e) {
        return e.what(); // what SQLite found is the answer here, not an error
    }
}

namespace {
// Copies one journal's readable parts into a fresh file, part by part.
struct Salvager {
    const Database& from;
    SQLite::Database& out;
    const crypto::SecureBytes& data_key;
    crypto::ByteView journal_id;
    Journal::SalvageReport report;
    std::int64_t highest = 0;

    // The key records first: without them nothing else could be opened.
    void copy_meta() {
        from.guarded(
            [&] {
                SQLite::Statement q(from.sql(), "SELECT name, value FROM meta");
                SQLite::Statement ins(out, "INSERT INTO meta (name, value) VALUES (?, ?)");
                while (q.executeStep()) {
                    ins.reset();
                    ins.bind(1, q.getColumn(0).getString());
                    bind_column(ins, 2, q.getColumn(1));
                    ins.exec();
                }
            },
            [&] {
                throw DataError(fmt::format("the part of {} that holds its keys is damaged, so "
                                            "nothing can be copied out of it; a backup of the "
                                            "data folder is the way back",
                                            from.path().string()));
            });
    }

    void copy_entries() {
        SQLite::Statement put(out, "INSERT INTO entries (id, sealed, day_tag) VALUES (?, ?, ?)");
        RowReader rows(from, {"entries", "entries_by_day", "sealed, day_tag"},
                       [&](std::int64_t id) { report.entries_lost.push_back(id); });
        while (SQLite::Statement* row = rows.next()) {
            const std::int64_t id = row->getColumn(0).getInt64();
            try {
                open_entry(data_key, journal_id, id, view_of(row->getColumn(1)));
            } catch (const DataError&) {
                report.entries_lost.push_back(id);
                continue;
            }
            put.reset();
            put.bind(1, id);
            bind_column(put, 2, row->getColumn(1));
            bind_column(put, 3, row->getColumn(2));
            put.exec();
            ++report.entries_kept;
            highest = std::max(highest, id);
        }
    }

    void copy_records() {
        SQLite::Statement put(out, "INSERT INTO records (id, kind, sealed) VALUES (?, ?, ?)");
        RowReader rows(from, {"records", "records_by_kind", "kind, sealed"},
                       [&](std::int64_t) { ++report.records_lost; });
        while (SQLite::Statement* row = rows.next()) {
            const std::int64_t id = row->getColumn(0).getInt64();
            const std::string kind = row->getColumn(1).getString();
            const crypto::ByteView sealed = view_of(row->getColumn(2));
            if (!crypto::open(data_key, sealed, record_ad(journal_id, id, kind))) {
                ++report.records_lost;
                continue;
            }
            put.reset();
            put.bind(1, id);
            put.bind(2, kind);
            bind_bytes(put, 3, sealed);
            put.exec();
            ++report.records_kept;
        }
    }

    // Settings and seen tags: what a damaged page hides is only counted.
    void copy_settings() {
        from.guarded(
            [&] {
                SQLite::Statement q(from.sql(), "SELECT name, sealed FROM settings");
                SQLite::Statement ins(out, "INSERT INTO settings (name, sealed) VALUES (?, ?)");
                while (q.executeStep()) {
                    const std::string name = q.getColumn(0).getString();
                    const crypto::ByteView sealed = view_of(q.getColumn(1));
                    if (!crypto::open(data_key, sealed, setting_ad(journal_id, name))) {
                        ++report.settings_lost;
                        continue;
                    }
                    ins.reset();
                    ins.bind(1, name);
                    bind_bytes(ins, 2, sealed);
                    ins.exec();
                }
            },
            [&] { report.settings_complete = false; });
    }

    void copy_seen() {
        from.guarded(
            [&] {
                SQLite::Statement q(from.sql(), "SELECT tag FROM seen");
                SQLite::Statement ins(out, "INSERT INTO seen (tag) VALUES (?)");
                while (q.executeStep()) {
                    ins.reset();
                    bind_column(ins, 1, q.getColumn(0));
                    ins.exec();
                }
            },
            [&] { report.seen_complete = false; });
    }
};
} // namespace

Journal::SalvageReport Journal::salvage_into(const fs::path& file) const {
    const Impl& im = *m_impl;
    if (const int err = create_private_file(file)) {
        throw RuntimeError(
            fmt::format("could not create {}: {}", file.string(), std::strerror(err)));
    }
    try {
        return im.db.guarded([&] {
            SQLite::Transaction reading(im.db.sql(), SQLite::TransactionBehavior::IMMEDIATE);
            SQLite::Database out(file.string(), SQLite::OPEN_READWRITE);
            configure(out);
            mark_new_file(out, im.db.sql().execAndGet("PRAGMA user_version").getInt());
            SQLite::Transaction writing(out);
            create_tables(out);
            Salvager copy{im.db, out, im.data_key, im.journal_id, {}};
            copy.copy_meta();
            copy.copy_entries();
            copy.copy_records();
            copy.copy_settings();
            copy.copy_seen();
            // What the fresh journal holds now is what its tally says.
            write_setting(out, im.data_key, im.journal_id, k_tally_setting,
                          format_numbers({copy.report.entries_kept, copy.highest}));
            writing.commit();
            std::sort(copy.report.entries_lost.begin(), copy.report.entries_lost.end());
            return copy.report;
        });
    } catch (...) {
        std::error_code ec;
        fs::remove(file, ec);
        throw;
    }
}

} // namespace duet::store
