/** Manager ID and PIN fields for actions above the cashier's own permissions. */
export function ManagerApproval(props: {
  readonly idPrefix: string;
  readonly managerId: string;
  readonly managerPin: string;
  readonly onManagerId: (value: string) => void;
  readonly onManagerPin: (value: string) => void;
}) {
  return (
    <fieldset class="manager">
      <legend>Manager approval (if needed)</legend>
      <label for={`${props.idPrefix}-manager-id`}>Manager ID</label>
      <input
        id={`${props.idPrefix}-manager-id`}
        autocomplete="off"
        value={props.managerId}
        onInput={(e) => props.onManagerId(e.currentTarget.value)}
      />
      <label for={`${props.idPrefix}-manager-pin`}>Manager PIN</label>
      <input
        id={`${props.idPrefix}-manager-pin`}
        type="password"
        inputmode="numeric"
        autocomplete="off"
        value={props.managerPin}
        onInput={(e) => props.onManagerPin(e.currentTarget.value)}
      />
    </fieldset>
  );
}

/** The optional manager fields as the command expects them: absent when left empty. */
export function managerFields(
  managerId: string,
  managerPin: string,
): { managerId?: string; managerPin?: string } {
  const id = managerId.trim();
  if (id === "") return {};
  return { managerId: id, managerPin };
}
