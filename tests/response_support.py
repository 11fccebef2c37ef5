"""A response's body, whether written at once or streamed (the priority CSV of every school is streamed: its
rows, and its queries, come as it is read, and its request ends only once it has been read)."""


def body(response) -> bytes:
    """The whole body; a streamed response is read to its end."""
    return b"".join(response.streaming_content) if response.streaming else response.content
