/** Placeholder until the voice room lands: the session carries on by typing. */
import { Link, useParams } from 'wouter';

export function VoiceRoomPage() {
  const { sessionId } = useParams<{ sessionId: string }>();
  return (
    <section className="narrow">
      <h1>Voice room</h1>
      <p>The voice room is not available in this version of the app. You can continue the same session by typing.</p>
      <Link className="button primary" href={`/sessions/${sessionId}/text`}>
        Continue by typing
      </Link>
    </section>
  );
}
