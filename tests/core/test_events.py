import io
import json

from app.core.events import JsonlEventWriter, ListSink, StopFlag, decode, encode, read_events


def test_encode_decode_round_trip_and_nan_becomes_null():
    line = encode("metrics", step=3, metrics={"loss": float("nan"), "learning_rate": 1e-4})
    obj = decode(line)
    assert obj["event"] == "metrics" and obj["metrics"]["loss"] is None and obj["step"] == 3


def test_decode_ignores_non_events():
    assert decode("Loading weights 50%") is None
    assert decode('{"event": "nope"}') is None
    assert decode('{"event": "progress", "step"') is None


def test_writer_writes_stream_and_file_and_survives_a_closed_reader(tmp_path):
    class Broken(io.StringIO):
        def write(self, s):
            raise BrokenPipeError

    writer = JsonlEventWriter(Broken(), tmp_path / "events.jsonl")
    writer.emit("progress", step=1, total_steps=2)
    writer.emit("finished", status="completed")
    writer.close()
    events = list(read_events(tmp_path / "events.jsonl"))
    assert [e["event"] for e in events] == ["progress", "finished"]


def test_torn_last_line_is_skipped(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(encode("progress", step=1) + "\n" + '{"event": "metr')
    assert [e["step"] for e in read_events(path)] == [1]


def test_stop_flag_by_file(tmp_path):
    stop = StopFlag(tmp_path / "STOP")
    assert not stop.is_set()
    (tmp_path / "STOP").touch()
    assert stop.is_set()


def test_list_sink_filters():
    sink = ListSink()
    sink.emit("progress", step=1)
    sink.emit("metrics", step=1, metrics={"loss": 1.0})
    assert len(sink.of("metrics")) == 1 and json.dumps(sink.events)
