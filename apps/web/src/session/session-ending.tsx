/** End, with a confirmation: the one place the web app calls /end (never on a disconnect or a reload). */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { ApiError } from '../api/client';
import { endSession } from '../api/resources';
import { Dialog } from '../components/dialog';
import { forgetSession } from './remembered-sessions';

export function EndSessionButton({ sessionId, onEnding }: { sessionId: string; onEnding?: () => void }) {
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [ending, setEnding] = useState(false);
  const end = async () => {
    setEnding(true);
    onEnding?.();
    try {
      await endSession(sessionId);
    } catch (error) {
      // Ended already (the timer, another tab): the report is still the next step.
      if (!(error instanceof ApiError && error.status === 410)) {
        setEnding(false);
        setFailure(error instanceof Error ? error.message : String(error));
        return;
      }
    }
    forgetSession(sessionId);
    await queryClient.invalidateQueries({ queryKey: ['session', sessionId] });
    void queryClient.invalidateQueries({ queryKey: ['sessions'] });
    navigate(`/sessions/${sessionId}/report`);
  };
  return (
    <>
      <button type="button" className="danger" onClick={() => setConfirming(true)}>
        End session
      </button>
      <Dialog open={confirming} title="End this session?" onCancel={() => setConfirming(false)}>
        <p>Once ended, the session cannot be continued. It will be graded and you will see your report.</p>
        {failure && <p role="alert">The session could not be ended: {failure}</p>}
        <div className="actions">
          <button type="button" className="danger" disabled={ending} onClick={end}>
            End and see my report
          </button>
          <button type="button" disabled={ending} onClick={() => setConfirming(false)}>
            Keep going
          </button>
        </div>
      </Dialog>
    </>
  );
}
