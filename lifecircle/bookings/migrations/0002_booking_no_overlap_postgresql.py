"""On PostgreSQL, make overlapping bookings of one room impossible in the database itself.

No two bookings that hold their slot (pending or confirmed) of the same room may overlap in time:
an exclusion constraint over (room, [start, end)). The room is compared as the one-value range
[room_id, room_id] with the range-overlap operator, which GiST indexes natively, so no extension
(btree_gist) is needed. services.book_room locks the room row and checks first, so residents see
a clear message; this constraint is the last line of defence. SQLite serialises writes instead.
"""
from django.db import migrations

CREATE = """
ALTER TABLE bookings_booking ADD CONSTRAINT booking_no_overlap_in_room EXCLUDE USING gist (
    int8range(room_id, room_id, '[]') WITH &&,
    tstzrange("start", "end", '[)') WITH &&
) WHERE (status IN ('pending', 'confirmed'))
"""
DROP = "ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS booking_no_overlap_in_room"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
