/** A form-wide error (e.g. wrong credentials, rate limit), announced as an alert. */
export function FormAlert({ message }: { message: string | null }) {
  return (
    <div className="form-alert-region" role="alert">
      {message && <p className="form-alert">{message}</p>}
    </div>
  );
}
